"""Restyle one photo from the command line, the same code path the worker runs.

    python -m gpu.restyle photo.jpg --style japandi --out out.jpg [--profile tiny] [--variations 2]
        [--room-type bedroom] [--creativity 0.6] [--seed 7] [--resolution 768] [--keep-furniture]
        [--fast] [--steps 20] [--prompt "a green velvet sofa"] [--mode declutter|stage|edit --mask mask.png]

Writes out.jpg, then out-2.jpg... for further variations, and prints quality and timings.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gpu.errors import RestyleError
from gpu.styles import ROOM_TYPES, STYLES
from gpu.types import MODES, RESOLUTIONS, RestyleRequest


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m gpu.restyle", description="Restyle a room photo.")
    parser.add_argument("photo", type=Path)
    parser.add_argument("--style", required=True, choices=sorted(STYLES), metavar="STYLE",
                        help="a style code: " + ", ".join(sorted(STYLES)))
    parser.add_argument("--out", type=Path, required=True, help="output JPEG; more variations get -2, -3...")
    parser.add_argument("--profile", choices=("sd15", "tiny", "sd15-random"), help="default: MODEL_PROFILE or auto")
    parser.add_argument("--device", help="cpu, cuda, cuda:1 (default: CUDA when present)")
    parser.add_argument("--room-type", choices=sorted(ROOM_TYPES), metavar="ROOM_TYPE",
                        help="default: detected; one of " + ", ".join(sorted(ROOM_TYPES)))
    parser.add_argument("--variations", type=int, default=1)
    parser.add_argument("--creativity", type=float, default=0.5)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--resolution", type=int, default=768, choices=RESOLUTIONS)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--fast", action="store_true", help="few-step schedule")
    parser.add_argument("--keep-furniture", action="store_true")
    parser.add_argument("--prompt", default="", help="a free-text wish")
    parser.add_argument("--palette", nargs="*", default=[], help="hex colours, e.g. '#f5f0e6' '#6b8e23'")
    parser.add_argument("--wall-color")
    parser.add_argument("--flooring")
    parser.add_argument("--mode", choices=MODES, default="restyle", help="default: restyle (gpu/modes.py)")
    parser.add_argument("--mask", type=Path, help="--mode edit: a PNG, white or opaque where the photo changes")
    return parser.parse_args(argv)


def output_paths(out: Path, count: int) -> list[Path]:
    return [out if i == 0 else out.with_name(f"{out.stem}-{i + 1}{out.suffix}") for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    request = RestyleRequest(
        image=args.photo.read_bytes(),
        style=args.style,
        room_type=args.room_type,
        keep_furniture=args.keep_furniture,
        color_palette=tuple(args.palette),
        wall_color=args.wall_color,
        flooring=args.flooring,
        prompt=args.prompt,
        creativity=args.creativity,
        seed=args.seed,
        variations=args.variations,
        resolution=args.resolution,
        steps=args.steps,
        fast=args.fast,
        mode=args.mode,
        mask=args.mask.read_bytes() if args.mask else None,
    )
    try:
        result = _run_with_progress(request, args.profile, args.device)
    except RestyleError as exc:
        print(f"error ({exc.code}): {exc.message}", file=sys.stderr)
        return 1
    _write(result, args.out)
    return 0


def _run_with_progress(request: RestyleRequest, profile: str | None, device: str | None):
    from tqdm import tqdm

    from gpu import loading, pipeline

    print("loading models...", file=sys.stderr)
    loaded = loading.load(profile, device)
    if not loaded.real:
        print(f"note: profile {loaded.profile} has random weights, the result is not a real design", file=sys.stderr)
    with tqdm(total=100, unit="%", bar_format="{l_bar}{bar}| {elapsed}", file=sys.stderr) as bar:
        for event in pipeline.run(request, loaded):
            bar.set_description(event.message[:40].ljust(40))
            bar.update(round(event.progress * 100) - bar.n)
            if event.result is not None:
                return event.result
    raise RuntimeError("the pipeline ended without a result")


def _write(result, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    for path, variation in zip(output_paths(out, len(result.variations)), result.variations, strict=True):
        path.write_bytes(variation.image)
        print(f"{path}  {variation.width}x{variation.height}  seed {variation.seed}  "
              f"layout {variation.quality_score:.2f}")
    quality = result.quality
    print(f"quality: threshold {quality['threshold']}, retried {quality['retried_variations'] or 'none'}")
    print(f"room type: {result.detected_room_type or 'not detected'}; "
          f"furniture: {', '.join(d.label for d in result.furniture) or 'none found'}")
    print("timings: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in result.timings.items()))
    print(f"device: {result.device}; models: {', '.join(sorted(set(result.models.values())))}")


if __name__ == "__main__":
    sys.exit(main())
