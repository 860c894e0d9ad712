"""The Modal app that runs the pipeline on a GPU in production.

Deploy from the repository root with `modal deploy -m gpu.modal_app`; the
worker then reaches it through gpu.backends.modal.ModalBackend by name.

The weights are baked into the image at build time, so a container never
downloads anything, and containers start from a memory snapshot taken after
the models are loaded into CPU memory in fp16 (no fp32 copy): a cold start
restores the snapshot, copies the weights to the GPU, and compiles and warms
every shape bucket (gpu/compile.py) from inductor's cache, which lives on a
Modal Volume so that only the first container of a new image compiles.

This module imports on any machine: no GPU or Modal credentials are needed to
define the app, and the heavy imports stay inside `image.imports()`.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import modal

from gpu import wire
from gpu.fetch_models import fetch_all
from gpu.stream import parse_request, restyle_stream, upscale_stream  # noqa: F401  shared with gpu/serve.py; tests call them here
from gpu.weights import CHECKPOINTS, YOLO

log = logging.getLogger(__name__)

APP_NAME = "restyle"
CLASS_NAME = "Restyler"

# L4 by default: 24 GB holds SD 1.5 with two ControlNets in fp16 several times over, and it costs about 70% of
# an A10G per second while being about 20-30% slower on SD 1.5, so a design costs about the same and L4s are
# easier to get. Set RESTYLE_MODAL_GPU=A10G (or "L40S", "A100", ...) at deploy time to trade cost for latency.
GPU = os.environ.get("RESTYLE_MODAL_GPU", "L4")
TIMEOUT_S = int(os.environ.get("RESTYLE_MODAL_TIMEOUT", "300"))  # one design; a stuck call is killed by then
# Idle containers stay warm this long: two minutes covers a user trying a few styles in a row.
SCALEDOWN_S = int(os.environ.get("RESTYLE_MODAL_SCALEDOWN", "120"))
MAX_CONTAINERS = int(os.environ.get("RESTYLE_MODAL_MAX_CONTAINERS", "10"))  # a ceiling on spend under load
STARTUP_TIMEOUT_S = 600  # the first start loads every model before the snapshot is taken

# Inductor's FX graph, autotuning and kernel caches, shared by every container of the app.
INDUCTOR_VOLUME = os.environ.get("RESTYLE_MODAL_INDUCTOR_VOLUME", "restyle-inductor-cache")
INDUCTOR_DIR = "/cache/inductor"
MODEL_DIR = "/models"
HUB_CACHE = f"{MODEL_DIR}/hf/hub"
# The image's packages: the whole closure of requirements/gpu.txt, pinned with hashes (`make lock`), so every
# build installs the same files as the tests ran with. Read when the image is built, on the deploying machine;
# the app's own containers, which do not have the file, never build it. --no-deps: the lock is complete, and it
# leaves out the opencv-python that ultralytics asks for (opencv-python-headless is the one OpenCV).
LOCK_FILE = Path(__file__).resolve().parent.parent / "requirements" / "gpu.lock"
PIP_OPTIONS = "--require-hashes --no-deps"


def weight_refs() -> tuple[str, ...]:
    """Every pinned weight, passed to the build step so that changing a pin rebuilds the weights layer."""
    return (*(checkpoint.ref for checkpoint in CHECKPOINTS), YOLO.ref)


def download_weights(refs: tuple[str, ...]) -> None:
    """Image build step. `refs` is only there to key Modal's build cache: fetch_all reads the pins itself."""
    fetch_all(HUB_CACHE)


image = (
    modal.Image.debian_slim(python_version="3.11")  # opencv-python-headless needs no system library
    .pip_install_from_requirements(str(LOCK_FILE), extra_options=PIP_OPTIONS)
    .env({"HF_HOME": f"{MODEL_DIR}/hf", "HF_HUB_CACHE": HUB_CACHE, "HF_HUB_DISABLE_TELEMETRY": "1"})
    .run_function(download_weights, args=(weight_refs(),), timeout=3600)
    # After the download: at run time nothing may touch the network, and the real weights are required.
    .env({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "MODEL_PROFILE": "sd15",
          "RESTYLE_INDUCTOR_CACHE": INDUCTOR_DIR})
    .add_local_python_source("gpu")
)

with image.imports():
    import torch

    from gpu import compile as gpu_compile
    from gpu import loading as gpu_loading
    from gpu import pipeline  # noqa: F401  used by gpu.stream; imported here so the memory snapshot holds it
    from gpu import upscale as gpu_upscale

app = modal.App(APP_NAME, image=image)
inductor_cache = modal.Volume.from_name(INDUCTOR_VOLUME, create_if_missing=True)

CLS_OPTIONS: dict[str, Any] = {
    "gpu": GPU,
    "timeout": TIMEOUT_S,
    "scaledown_window": SCALEDOWN_S,
    "max_containers": MAX_CONTAINERS,
    "startup_timeout": STARTUP_TIMEOUT_S,
    # CPU memory snapshots: GPU snapshots are still alpha, and the copy to the GPU takes only a second or two.
    "enable_memory_snapshot": True,
    "block_network": True,  # the weights are in the image, and users' photos have nowhere else to go
    "volumes": {INDUCTOR_DIR: inductor_cache},
}


@app.cls(**CLS_OPTIONS)
class Restyler:
    @modal.enter(snap=True)
    def load(self) -> None:
        # Runs once, before the snapshot is taken, where there is no GPU: everything up to the GPU copy is
        # captured, so restored containers skip the imports and the reading of several GB of weights. In fp16
        # already: the snapshot is half the size, and the GPU copy converts nothing.
        self.models = gpu_loading.load(profile="sd15", device="cpu", dtype=torch.float16)
        self.upscaler = gpu_upscale.load(profile="sd15", device="cpu", dtype=torch.float16)

    @modal.enter(snap=False)
    def to_gpu(self) -> None:
        self.restored_at = time.monotonic()
        self.models = on_gpu(self.models)
        self.upscaler = gpu_upscale.to_device(self.upscaler, "cuda:0")
        report = prepare(self.models)
        self.first_request = True
        log.info("container ready %.1fs after restore: %s", time.monotonic() - self.restored_at, report)

    @modal.method()
    def restyle(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Progress events as plain dicts (gpu.wire), the last one carrying the result."""
        for message in restyle_stream(request, self.models, call_id=modal.current_function_call_id()):
            if self.first_request and message.get("type") == wire.EVENT:
                self.first_request = False  # the cold start the benchmark's goal is about, in every container's log
                log.info("cold start: first event %.1fs after restore", time.monotonic() - self.restored_at)
            yield message


    @modal.method()
    def upscale(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """A result enlarged to print size (gpu/upscale.py), streamed like a restyle."""
        yield from upscale_stream(request, self.upscaler, call_id=modal.current_function_call_id())


def on_gpu(models: Any) -> Any:
    """The CPU-loaded models moved to the GPU in fp16, as gpu.loading would have loaded them there directly."""
    return gpu_loading.to_device(models, "cuda:0")


def prepare(models: Any) -> Any:
    """Compile and warm every bucket (gpu/compile.py), then keep what inductor compiled for the next container."""
    report = gpu_compile.prepare(models)
    if report.compiled:
        try:
            inductor_cache.commit()
        except Exception:  # noqa: BLE001  a cache that is not saved costs the next container time, nothing else
            log.warning("could not save the inductor cache", exc_info=True)
    return report
