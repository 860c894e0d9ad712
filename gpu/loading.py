"""Load every model the pipeline needs, once per process.

Profiles:
- `sd15`: the pinned real checkpoints (gpu.weights), fp16 on CUDA.
- `tiny`: the same classes, tiny and randomly initialised (gpu.architectures).
- `sd15-random`: real SD 1.5 sizes with random weights, for benchmarks only.

Loading never waits on the network when the weights are not cached and the
machine is offline: it raises ModelUnavailable naming the missing model.
"""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Ultralytics probes DNS at import time to decide whether it is online; nothing here needs it online.
os.environ.setdefault("YOLO_OFFLINE", "1")
os.environ.setdefault("YOLO_VERBOSE", "False")
# ...and would pip-install missing extras (pi-heif) in the middle of a request.
os.environ.setdefault("YOLO_AUTOINSTALL", "False")

import torch  # noqa: E402
from diffusers import (  # noqa: E402
    AutoencoderTiny,
    ControlNetModel,
    DPMSolverMultistepScheduler,
    StableDiffusionControlNetImg2ImgPipeline,
)
from diffusers.models.controlnets.multicontrolnet import MultiControlNetModel  # noqa: E402
from diffusers.utils import logging as diffusers_logging  # noqa: E402

from gpu import adapter, architectures, fast, weights  # noqa: E402
from gpu.controlnets import RestyleControlNets, cond_only_default  # noqa: E402
from gpu.errors import ModelUnavailable  # noqa: E402
from gpu.inpaint import KeepFurnitureInpaintPipeline  # noqa: E402
from gpu.weights import ProfileStatus, active_profile  # noqa: E402,F401  (re-exported for callers)

log = logging.getLogger(__name__)

PROFILES = ("sd15", "tiny", "sd15-random")
DETECTOR_IMAGE_SIZE = {"sd15": 640, "sd15-random": 640, "tiny": 256}
TINY_DETECTOR = "yolo11n-seg.yaml"
RANDOM_DETECTOR = "yolo11m-seg.yaml"


@dataclass
class Models:
    profile: str
    real: bool  # False: random weights, results are not real designs
    device: torch.device
    dtype: torch.dtype
    # ("img2img" | "inpaint", fast) -> diffusers pipeline. Text encoder and ControlNets are shared by all four;
    # fast pipelines have their own UNet (the few-step LoRA fused in) and TAESD as their VAE.
    pipes: dict[tuple[str, bool], Any]
    depth_model: Any  # transformers DepthAnythingForDepthEstimation
    depth_input_size: int
    detector: Any  # ultralytics YOLO
    detector_image_size: int
    class_names: dict[int, str]
    versions: dict[str, str]  # component -> "repo@revision", a URL, or "random"
    taesd: Any = None  # AutoencoderTiny: quick mode's VAE and every live preview
    prepared: Any = None  # gpu.compile.Report once compiled and warmed in this process
    # Held around every model call: diffusers schedulers and the ultralytics predictor keep per-call
    # state, and one GPU runs one job at a time anyway. Never held while waiting for a consumer.
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def tokenizer(self):
        return self.pipes["img2img", False].tokenizer

    def pipe(self, *, inpaint: bool, fast: bool):
        return self.pipes["inpaint" if inpaint else "img2img", fast]


_cache: dict[tuple[str, str, torch.dtype], Models] = {}
_cache_lock = threading.Lock()


def default_device() -> torch.device:
    return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")


def load(profile: str | None = None, device: str | torch.device | None = None,
         dtype: torch.dtype | None = None) -> Models:
    """The models for `profile` on `device`, loaded on first use and kept for the process.

    `dtype` overrides the device's usual one: the Modal snapshot loads fp16 on the CPU, so the
    snapshot holds no fp32 copy and the move to the GPU is a plain copy.
    """
    profile = profile or active_profile().name
    if profile not in PROFILES:
        raise ValueError(f"unknown model profile {profile!r}: use one of {', '.join(PROFILES)}")
    device = torch.device(device) if device else default_device()
    dtype = dtype or _dtype(profile, device)
    key = (profile, str(device), dtype)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(profile, device, dtype)
        return _cache[key]


@contextlib.contextmanager
def _quiet_diffusers():
    # Building pipelines without a safety checker, or casting random weights, logs warnings meant for other setups.
    from transformers.utils import logging as transformers_logging

    previous = diffusers_logging.get_verbosity()
    diffusers_logging.set_verbosity_error()
    # Loading bars belong on a terminal, not in a worker's log.
    diffusers_logging.disable_progress_bar()
    transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        diffusers_logging.set_verbosity(previous)
        diffusers_logging.enable_progress_bar()
        transformers_logging.enable_progress_bar()


def to_device(models: Models, device: str | torch.device) -> Models:
    """The same models on another device (e.g. loaded on CPU for a memory snapshot, then moved to the GPU)."""
    device = torch.device(device)
    moved = dataclasses.replace(models, device=device, dtype=_dtype(models.profile, device), prepared=None)
    with _quiet_diffusers():
        _to_device(moved)
    return moved


def _dtype(profile: str, device: torch.device) -> torch.dtype:
    # Random weights in fp16 overflow easily, and CPUs have no fast fp16 path: fp16 only for real-size CUDA runs.
    return torch.float16 if device.type == "cuda" and profile != "tiny" else torch.float32


def _load(profile: str, device: torch.device, dtype: torch.dtype) -> Models:
    log.info("loading model profile %s on %s (%s)", profile, device, dtype)
    with _quiet_diffusers():
        if profile == "sd15":
            parts = _real_parts(dtype)
        else:
            parts = _random_parts("tiny" if profile == "tiny" else "sd15")
        models = Models(profile=profile, real=profile == "sd15", device=device, dtype=dtype, **parts)
        _to_device(models)
    return models


def _real_parts(dtype: torch.dtype) -> dict[str, Any]:
    from transformers import DepthAnythingForDepthEstimation

    folders = {c.key: _require(c) for c in weights.CHECKPOINTS}
    try:
        controlnets = [
            ControlNetModel.from_pretrained(folders[key], dtype=dtype, variant="fp16")
            for key in ("controlnet_depth", "controlnet_canny")
        ]
        img2img = StableDiffusionControlNetImg2ImgPipeline.from_pretrained(
            folders["sd15"],
            controlnet=MultiControlNetModel(controlnets),
            dtype=dtype,
            variant="fp16",
            safety_checker=None,  # photos of rooms; its false positives would black out designs
            feature_extractor=None,
            requires_safety_checker=False,
        )
        depth_model = DepthAnythingForDepthEstimation.from_pretrained(folders["depth"], dtype=dtype)
        # Before the quick UNet is copied from the standard one, so both carry the adapter.
        adapter.attach(img2img, adapter.load_encoder(folders["ip_adapter"], dtype), folders["ip_adapter"])
        fast_unet = fast.fused_unet(img2img.unet, folders["lcm_lora"] / weights.LCM_LORA.files[0])
        taesd = fast.load_taesd(folders["taesd"], dtype)
    except (OSError, ValueError) as exc:  # a half-downloaded or corrupt snapshot
        raise ModelUnavailable(f"Could not load the Stable Diffusion weights ({exc}); {weights.FETCH_HINT}.") from exc
    versions = {c.key: c.ref for c in weights.CHECKPOINTS} | {weights.YOLO.key: weights.YOLO.ref}
    return {
        "pipes": _pipes(img2img, fast_unet, taesd),
        "taesd": taesd,
        "depth_model": depth_model.eval(),
        "depth_input_size": architectures.DEPTH_INPUT_SIZE["sd15"],
        **_detector(str(_require_yolo()), DETECTOR_IMAGE_SIZE["sd15"]),
        "versions": versions,
    }


def random_img2img(parts: architectures.RandomComponents) -> StableDiffusionControlNetImg2ImgPipeline:
    """The standard pipeline over random parts, before the image-prompt adapter goes in."""
    return StableDiffusionControlNetImg2ImgPipeline(
        vae=parts.vae,
        text_encoder=parts.text_encoder,
        tokenizer=parts.tokenizer,
        unet=parts.unet,
        controlnet=MultiControlNetModel(parts.controlnets),
        scheduler=parts.scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )


def _random_parts(size: str) -> dict[str, Any]:
    parts = architectures.build(size)
    img2img = random_img2img(parts)
    encoder = adapter.random_encoder(size, architectures.SEED + 9)
    adapter.attach(img2img, encoder, adapter.random_weights(parts.unet, encoder, architectures.SEED + 10))
    profile = "tiny" if size == "tiny" else "sd15-random"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(architectures.SEED)
        detector = _detector(TINY_DETECTOR if size == "tiny" else RANDOM_DETECTOR, DETECTOR_IMAGE_SIZE[profile])
    # The few-step adapter and TAESD stand-ins: a random LoRA fused through the real code, a random TAESD.
    fast_unet = fast.fused_unet(parts.unet, fast.tiny_lora(parts.unet, seed=architectures.SEED + 7))
    taesd = fast.tiny_taesd(architectures.SEED + 8) if size == "tiny" else AutoencoderTiny().eval()
    return {
        "pipes": _pipes(img2img, fast_unet, taesd),
        "taesd": taesd,
        "depth_model": parts.depth_model,
        "depth_input_size": architectures.DEPTH_INPUT_SIZE[size],
        **detector,
        "versions": dict.fromkeys(("sd15", "controlnet_depth", "controlnet_canny", "depth", "detector", "lcm_lora",
                                   "taesd", "ip_adapter"), profile),
    }


def _pipes(img2img: StableDiffusionControlNetImg2ImgPipeline, fast_unet, taesd) -> dict[tuple[str, bool], Any]:
    """Four pipelines over shared modules: img2img or inpaint, standard or quick (gpu/fast.py).

    Each has its own scheduler object because schedulers carry per-call state. Standard and quick
    have their own ControlNet wrapper (gpu/controlnets.py) over the same two nets: only the standard
    one, whose batches are [unconditional, conditional], may run the nets on the conditional half.
    """
    config = img2img.scheduler.config
    nets = list(img2img.controlnet.nets)
    shared = {k: v for k, v in img2img.components.items() if k not in ("scheduler", "controlnet")}
    modes = {
        False: (shared, lambda: DPMSolverMultistepScheduler.from_config(config, use_karras_sigmas=True),
                RestyleControlNets(nets, cond_only=cond_only_default())),
        True: ({**shared, "unet": fast_unet}, lambda: fast.scheduler(config), RestyleControlNets(nets)),
    }
    pipes = {}
    for quick, (components, make_scheduler, controlnet) in modes.items():
        for kind, cls in (("img2img", StableDiffusionControlNetImg2ImgPipeline),
                          ("inpaint", KeepFurnitureInpaintPipeline)):
            pipe = cls(**components, controlnet=controlnet, scheduler=make_scheduler())
            if quick:
                pipe.vae = taesd  # after construction: the pipeline reads its scale factor from the full VAE
            pipe.set_progress_bar_config(disable=True)
            pipes[kind, quick] = pipe
    return pipes


def _detector(source: str, image_size: int) -> dict[str, Any]:
    from PIL import Image

    pil_open = Image.open
    from ultralytics import YOLO
    from ultralytics.utils import ROOT, YAML

    # Importing ultralytics replaces PIL's Image.open, process-wide, with one that answers a file Pillow cannot
    # read by installing and importing pi-heif: a ModuleNotFoundError then, where every caller expects
    # UnidentifiedImageError (a bad upload is a 400, not a crash). HEIC is read through pillow-heif already.
    Image.open = pil_open

    detector = YOLO(source)
    names = detector.names
    if not any(name == "person" for name in names.values()):  # built from a yaml: only numbers as names
        names = dict(YAML.load(ROOT / "cfg/datasets/coco.yaml")["names"])
    return {"detector": detector, "detector_image_size": image_size, "class_names": names}


def _to_device(models: Models) -> None:
    pipe, quick = models.pipe(inpaint=False, fast=False), models.pipe(inpaint=False, fast=True)
    pipe.to(models.device, models.dtype)
    quick.to(models.device, models.dtype)  # its own UNet and TAESD; the shared modules are there already
    models.depth_model.to(models.device, models.dtype)
    if models.device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # a handful of fixed shapes: the buckets (gpu/buckets.py) x batch sizes
        # NHWC convolutions run on tensor cores without transposes.
        for module in (pipe.unet, quick.unet, pipe.vae, quick.vae, *pipe.controlnet.nets):
            module.to(memory_format=torch.channels_last)
    # The detector moves itself on its first predict(device=...).


def _require(checkpoint: weights.Checkpoint) -> Path:
    """The local snapshot of `checkpoint`, downloading it first if that is allowed and possible."""
    folder = weights.snapshot_dir(checkpoint)
    if folder is not None:
        return folder
    if weights.hub_offline():
        raise ModelUnavailable(f"Model {checkpoint.ref} is not in the local cache and this machine is offline; "
                               f"{weights.FETCH_HINT}.")
    from gpu.fetch_models import fetch_checkpoint

    try:
        return fetch_checkpoint(checkpoint)
    except Exception as exc:  # noqa: BLE001  any download failure means the same to the caller
        raise ModelUnavailable(f"Model {checkpoint.ref} is not in the local cache and could not be downloaded "
                               f"({type(exc).__name__}); {weights.FETCH_HINT}.") from exc


def _require_yolo() -> Path:
    path = weights.yolo_path()
    if path.is_file():
        return path
    if weights.hub_offline():
        raise ModelUnavailable(f"Model {weights.YOLO.filename} is not in the local cache and this machine is "
                               f"offline; {weights.FETCH_HINT}.")
    from gpu.fetch_models import fetch_yolo

    try:
        return fetch_yolo()
    except Exception as exc:  # noqa: BLE001
        raise ModelUnavailable(f"Model {weights.YOLO.filename} could not be downloaded ({type(exc).__name__}); "
                               f"{weights.FETCH_HINT}.") from exc
