"""Compiled graphs and warm-up: what a GPU process does once, after the models are on the device.

`prepare(models)` is called by the local backend on its first design (and by the worker at boot, see
designs/dramatiq_middleware.py) and by the Modal class after a restore. It

1. fuses the QKV projections of the UNets and the VAE (one matmul instead of three per attention),
2. `torch.compile`s both UNets (standard and fast), both ControlNets, and the VAE and TAESD decoders.
   On CUDA the mode is "max-autotune" (Triton autotuning and CUDA graphs); ControlNet scales never
   reach a compiled graph (gpu.controlnets applies them), so a new scale never recompiles;
3. keeps inductor's caches (FX graphs, autotuning results, kernels) on disk: RESTYLE_INDUCTOR_CACHE,
   var/torch-inductor locally, a Modal Volume in production, so a new container loads compiled
   kernels instead of compiling them again;
4. warms every shape bucket × batch size × mode the product runs (gpu.buckets), so no request pays
   for a compile or a cuDNN autotune.

Settings (environment variables, read when `prepare` runs):
- RESTYLE_COMPILE: auto (default: on CUDA only) | on | off
- RESTYLE_COMPILE_MODE: default "max-autotune" on CUDA, "default" elsewhere
- RESTYLE_COMPILE_BACKEND: default "inductor"; "eager" or "aot_eager" trace without generating code (tests)
- RESTYLE_INDUCTOR_CACHE: the cache folder (default var/torch-inductor)
- RESTYLE_WARMUP: auto (default: on CUDA only) | on | off
- RESTYLE_WARMUP_RESOLUTIONS: long sides to warm (default "512,768")
- RESTYLE_WARMUP_BATCHES: variations per call to warm (default "1"; every value is one more graph per bucket)
- RESTYLE_WARMUP_MODES: standard,fast (default both)
- RESTYLE_WARMUP_REFERENCE: on (default: every shape also with a style reference, gpu/adapter.py) | off
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

log = logging.getLogger(__name__)

DEFAULT_CACHE = Path(__file__).resolve().parent.parent / "var" / "torch-inductor"
DEFAULT_WARM_RESOLUTIONS = (512, 768)
_prepare_lock = threading.Lock()


@dataclass
class Report:
    """What `prepare` did, for the logs and the benchmark."""

    compiled: bool = False
    mode: str | None = None
    fused_qkv: bool = False
    compile_seconds: float = 0.0  # compiling + the first run of each graph (warm-up included when compiled)
    warmup_seconds: float = 0.0
    warmed: list[str] = field(default_factory=list)  # "512x384 b1 standard", ...


def _switch(name: str, device: torch.device) -> bool:
    value = os.environ.get(name, "auto").strip().lower()
    if value in ("", "auto"):
        return device.type == "cuda"
    if value in ("1", "on", "true", "yes"):
        return True
    if value in ("0", "off", "false", "no"):
        return False
    raise ValueError(f"{name}={value!r}: use auto, on or off")


def compile_enabled(device: torch.device) -> bool:
    return _switch("RESTYLE_COMPILE", device)


def warmup_enabled(device: torch.device) -> bool:
    return _switch("RESTYLE_WARMUP", device)


def compile_mode(device: torch.device) -> str:
    return os.environ.get("RESTYLE_COMPILE_MODE") or ("max-autotune" if device.type == "cuda" else "default")


def compile_backend() -> str:
    return os.environ.get("RESTYLE_COMPILE_BACKEND") or "inductor"


def use_inductor_cache(folder: str | os.PathLike | None = None) -> Path:
    """Point inductor's on-disk caches at `folder` (default RESTYLE_INDUCTOR_CACHE or var/torch-inductor).

    Must run before the first compile; inductor reads these once it starts compiling.
    """
    path = Path(folder or os.environ.get("RESTYLE_INDUCTOR_CACHE") or DEFAULT_CACHE)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = str(path)
    os.environ.setdefault("TORCHINDUCTOR_FX_GRAPH_CACHE", "1")
    os.environ.setdefault("TORCHINDUCTOR_AUTOGRAD_CACHE", "1")
    os.environ.setdefault("TRITON_CACHE_DIR", str(path / "triton"))
    return path


def prepare(models, *, compile: bool | None = None, warmup: bool | None = None, mode: str | None = None) -> Report:
    """Fuse, compile and warm `models` once per process (later calls return the first report)."""
    with _prepare_lock:
        if models.prepared is not None:
            return models.prepared
        report = Report()
        do_compile = compile_enabled(models.device) if compile is None else compile
        if models.device.type == "cuda":
            report.fused_qkv = fuse_qkv(models)
        if do_compile:
            use_inductor_cache()
            report.mode = mode or compile_mode(models.device)
            compile_models(models, mode=report.mode, backend=compile_backend())
            report.compiled = True
        if warmup_enabled(models.device) if warmup is None else warmup:
            started = time.perf_counter()
            report.warmed = warm_up(models)
            report.warmup_seconds = round(time.perf_counter() - started, 3)
            if report.compiled:
                report.compile_seconds = report.warmup_seconds  # compiling happens on the first run of each shape
        models.prepared = report
        log.info("models prepared: %s", report)
        return report


def fuse_qkv(models) -> bool:
    """One projection matmul instead of three in every attention block of the UNets and the VAE."""
    from gpu import adapter

    for module in _modules(models, "unet", "fast_unet"):
        adapter.fuse_qkv(module)  # keeps the image-prompt adapter's cross-attention processors
    for module in _modules(models, "vae"):
        module.fuse_qkv_projections()
    return True


def compile_models(models, *, mode: str | None, backend="inductor") -> None:
    """torch.compile in place (nn.Module.compile keeps the module objects that every pipeline shares)."""
    if models.device.type == "cuda" and backend == "inductor":
        torch._inductor.config.conv_1x1_as_mm = True
        torch._inductor.config.coordinate_descent_tuning = True
        torch._inductor.config.epilogue_fusion = False
    # fullgraph: a graph break inside the UNet would split the CUDA graph and cost a trip through Python.
    options = {"fullgraph": True, "backend": backend, **({"mode": mode} if backend == "inductor" else {})}
    for module in compiled_modules(models):
        module.compile(**options)


def uncompile(models) -> None:
    """Back to eager (the benchmark's eager rows after compiled ones, and the tests)."""
    for module in compiled_modules(models):
        module._compiled_call_impl = None
    torch._dynamo.reset()
    models.prepared = None


def compiled_modules(models) -> list[torch.nn.Module]:
    """Both UNets, both ControlNets, and the VAE and TAESD decoders: every module a denoising step or decode runs."""
    nets = list(models.pipe(inpaint=False, fast=False).controlnet.nets)
    decoders = [vae.decoder for vae in _modules(models, "vae", "taesd")]
    return [*_modules(models, "unet", "fast_unet"), *nets, *decoders]


def _modules(models, *names: str) -> list[torch.nn.Module]:
    standard, fast = models.pipe(inpaint=False, fast=False), models.pipe(inpaint=False, fast=True)
    found = {"unet": standard.unet, "fast_unet": fast.unet, "vae": standard.vae, "taesd": models.taesd}
    unique = []
    for name in names:
        module = found[name]
        if module is not None and all(module is not seen for seen in unique):
            unique.append(module)
    return unique


def warm_resolutions() -> tuple[int, ...]:
    return _ints("RESTYLE_WARMUP_RESOLUTIONS", DEFAULT_WARM_RESOLUTIONS)


def warm_batches() -> tuple[int, ...]:
    return _ints("RESTYLE_WARMUP_BATCHES", (1,))


def warm_modes() -> tuple[bool, ...]:
    value = os.environ.get("RESTYLE_WARMUP_MODES") or "standard,fast"  # empty: unset
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not set(names) <= {"standard", "fast"}:
        raise ValueError(f"RESTYLE_WARMUP_MODES={value!r}: use standard, fast or both")
    return tuple(name == "fast" for name in names)


def warm_references() -> tuple[bool, ...]:
    """Without and with a style reference: the adapter's branch at scale 0 and above 0 are two graphs."""
    value = os.environ.get("RESTYLE_WARMUP_REFERENCE", "on").strip().lower()
    if value not in ("on", "off"):
        raise ValueError(f"RESTYLE_WARMUP_REFERENCE={value!r}: use on or off")
    return (False, True) if value == "on" else (False,)


def _ints(name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        raise ValueError(f"{name}={value!r}: use comma-separated numbers") from None


def warm_up(models, *, resolutions=None, batches=None, modes=None, steps: int = 2) -> list[str]:
    """Run every bucket × batch × mode once through the real pipeline call, so its shapes are compiled/tuned."""
    from gpu import buckets, pipeline

    warmed = []
    for resolution in resolutions or warm_resolutions():
        for bucket in buckets.buckets_for(resolution):
            for batch in batches or warm_batches():
                for fast in warm_modes() if modes is None else modes:
                    for reference in warm_references():
                        pipeline.warm_bucket(models, bucket, batch=batch, fast=fast, steps=steps,
                                             reference=reference)
                        warmed.append(f"{bucket[0]}x{bucket[1]} b{batch} {'fast' if fast else 'standard'}"
                                      + (" reference" if reference else ""))
    return warmed


def warm_photo(bucket: tuple[int, int]) -> np.ndarray:
    """A plain synthetic room-ish picture of the bucket's size: gradients and a few edges for the maps."""
    width, height = bucket
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    image = np.stack([x / width, y / height, 0.5 + 0.0 * x], axis=2) * 200 + 30
    image[height // 3:height // 3 * 2, width // 4:width // 2] = (180, 120, 90)
    return image.astype(np.uint8)
