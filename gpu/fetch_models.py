"""Download every pinned weight into the model cache: `python -m gpu.fetch_models [--cache-dir DIR]`.

Run it on a connected machine (or in the Modal image build: `fetch_all(cache_dir)`),
then point HF_HUB_CACHE at the same folder where the pipeline runs.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from gpu import weights

DOWNLOAD_TIMEOUT_S = 60  # per network read, so a dead connection fails instead of hanging


class FetchError(RuntimeError):
    pass


def fetch_all(cache_dir: str | os.PathLike | None = None) -> dict[str, Path]:
    """Every checkpoint and the YOLO weights; returns component key -> local path."""
    _refuse_if_offline()
    paths = {c.key: fetch_checkpoint(c, cache_dir) for c in weights.CHECKPOINTS}
    paths[weights.YOLO.key] = fetch_yolo(cache_dir)
    return paths


def fetch_checkpoint(checkpoint: weights.Checkpoint, cache_dir: str | os.PathLike | None = None) -> Path:
    _refuse_if_offline()
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(
            checkpoint.repo_id,
            revision=checkpoint.revision,
            allow_patterns=list(checkpoint.files),
            cache_dir=weights.hub_cache_dir(cache_dir),
            etag_timeout=DOWNLOAD_TIMEOUT_S,
        )
    except Exception as exc:  # noqa: BLE001  the hub raises many types; the caller needs one
        raise FetchError(f"could not download {checkpoint.ref}: {exc}") from exc
    found = weights.snapshot_dir(checkpoint, cache_dir)
    if found is None:  # a pinned file vanished upstream: fail here, not at load time
        raise FetchError(f"{checkpoint.ref} downloaded to {folder} but some pinned files are missing")
    return found


def fetch_yolo(cache_dir: str | os.PathLike | None = None) -> Path:
    _refuse_if_offline()
    target = weights.yolo_path(cache_dir)
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Download beside the target and rename, so a crash never leaves a truncated .pt that looks cached.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as part:
        try:
            with urllib.request.urlopen(weights.YOLO.url, timeout=DOWNLOAD_TIMEOUT_S) as response:
                shutil.copyfileobj(response, part)
        except OSError as exc:
            Path(part.name).unlink(missing_ok=True)
            raise FetchError(f"could not download {weights.YOLO.url}: {exc}") from exc
    os.replace(part.name, target)
    return target


def _refuse_if_offline() -> None:
    if weights.hub_offline():
        raise FetchError("HF_HUB_OFFLINE is set: unset it on a machine with internet access to download the weights")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gpu.fetch_models", description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", help="model cache folder (default: HF_HUB_CACHE or ~/.cache/huggingface/hub)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        paths = fetch_all(args.cache_dir)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for key, path in paths.items():
        print(f"{key:18} {path}")
    print(f"all weights present ({time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
