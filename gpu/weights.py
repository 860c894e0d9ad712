"""The real checkpoints, pinned, and whether they are already on this machine.

Every weight the `sd15` profile loads is listed here with its exact revision, so
a build is reproducible and `python -m gpu.fetch_models` knows what to download.
This module imports neither torch nor diffusers: the web process calls
`active_profile()` for the dashboard notice.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PROFILES = ("sd15", "tiny")
FETCH_HINT = "run `python -m gpu.fetch_models` on a machine with internet access"


@dataclass(frozen=True)
class Checkpoint:
    """A Hugging Face repository at one commit, and the only files we need from it."""

    key: str
    repo_id: str
    revision: str  # a commit hash: a branch name would move under us
    files: tuple[str, ...]  # what we load; also the download allow-list

    @property
    def ref(self) -> str:
        return f"{self.repo_id}@{self.revision}"


@dataclass(frozen=True)
class YoloWeights:
    """Ultralytics ships its weights as GitHub release assets, not on the Hub; the release tag is the pin."""

    key: str
    filename: str
    url: str

    @property
    def ref(self) -> str:
        return self.url


# The revisions are the commit hashes that public download scripts and model cards pin for these
# repositories; this code was written offline, so `python -m gpu.fetch_models` is where they are first
# checked against the Hub. A wrong one fails there, loudly, naming the repository.

# The community mirror of runwayml/stable-diffusion-v1-5 (the original repo was removed in 2024).
SD15 = Checkpoint(
    key="sd15",
    repo_id="stable-diffusion-v1-5/stable-diffusion-v1-5",
    revision="451f4fe16113bff5a5d2269ed5ad43b0592e9a14",
    files=(
        "model_index.json",
        "scheduler/scheduler_config.json",
        "tokenizer/merges.txt",
        "tokenizer/special_tokens_map.json",
        "tokenizer/tokenizer_config.json",
        "tokenizer/vocab.json",
        "text_encoder/config.json",
        "text_encoder/model.fp16.safetensors",
        "unet/config.json",
        "unet/diffusion_pytorch_model.fp16.safetensors",
        "vae/config.json",
        "vae/diffusion_pytorch_model.fp16.safetensors",
    ),
)
CONTROLNET_DEPTH = Checkpoint(
    key="controlnet_depth",
    repo_id="lllyasviel/control_v11f1p_sd15_depth",
    revision="539f99181d33db39cf1af2e517cd8056785f0a87",
    files=("config.json", "diffusion_pytorch_model.fp16.safetensors"),
)
CONTROLNET_CANNY = Checkpoint(
    key="controlnet_canny",
    repo_id="lllyasviel/control_v11p_sd15_canny",
    revision="115a470d547982438f70198e353a921996e2e819",
    files=("config.json", "diffusion_pytorch_model.fp16.safetensors"),
)
# Depth Anything V2 Small: Apache-2.0, ~25M parameters, sharper indoor depth than DPT-hybrid.
DEPTH = Checkpoint(
    key="depth",
    repo_id="depth-anything/Depth-Anything-V2-Small-hf",
    revision="5426e4f0f36572d16453bbda7a8389317b1bef99",
    files=("config.json", "model.safetensors"),
)
# The segmentation variant: pixel masks keep furniture tighter than boxes would.
# No checksum is published next to the asset, so none is checked.
YOLO = YoloWeights(
    key="detector",
    filename="yolo11m-seg.pt",
    url="https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11m-seg.pt",
)

# Quick mode (gpu/fast.py). The LCM-LoRA for SD 1.5: fused into a copy of the UNet, 4 steps without guidance.
# Its revision is the snapshot folder of a public Hugging Face cache listing; fetch_models checks it.
LCM_LORA = Checkpoint(
    key="lcm_lora",
    repo_id="latent-consistency/lcm-lora-sdv1-5",
    revision="cf2fced511dbe7e26c8d1d397e728fbab875db4b",
    files=("pytorch_lora_weights.safetensors",),
)
# TAESD: a 2.4M-parameter distilled VAE for SD 1.5 latents. Decodes quick designs and every live preview.
TAESD = Checkpoint(
    key="taesd",
    repo_id="madebyollin/taesd",
    revision="614f76814bbe30edbe2e627ace1c2234c81a2c0e",
    files=("config.json", "diffusion_pytorch_model.safetensors"),
)

# Upscaling to print size (gpu/upscale.py): Real-ESRGAN x4plus (BSD-3-Clause, RRDBNet, 16.7M parameters, 67 MB),
# the file the Real-ESRGAN project published (v0.1.0 release), from a Hub mirror so it is pinned and cached like
# the rest; the revision is the commit that uploaded it.
UPSCALER = Checkpoint(
    key="upscaler",
    repo_id="2kpr/Real-ESRGAN",
    revision="33adcbe305c326365eba1c8b731027a6308e3847",
    files=("RealESRGAN_x4plus.pth",),
)

# Reference photos (gpu/adapter.py): IP-Adapter for SD 1.5 (Apache-2.0) and the CLIP ViT-H/14 image encoder it was
# trained with (LAION's OpenCLIP weights, MIT), both from the h94/IP-Adapter repository. The revision is the one a
# public install script pins for models/image_encoder/model.safetensors (sha256 6ca9667d...b030); fetch_models
# checks it against the Hub like the others.
IP_ADAPTER = Checkpoint(
    key="ip_adapter",
    repo_id="h94/IP-Adapter",
    revision="018e402774aeeddd60609b4ecdb7e298259dc729",
    files=(
        "models/ip-adapter_sd15.safetensors",
        "models/image_encoder/config.json",
        "models/image_encoder/model.safetensors",
    ),
)

CHECKPOINTS = (SD15, CONTROLNET_DEPTH, CONTROLNET_CANNY, DEPTH, LCM_LORA, TAESD, UPSCALER, IP_ADAPTER)


def hub_cache_dir(cache_dir: str | os.PathLike | None = None) -> Path:
    """The Hugging Face cache (HF_HUB_CACHE / HF_HOME honoured), or the given folder."""
    if cache_dir is not None:
        return Path(cache_dir)
    from huggingface_hub import constants

    return Path(os.environ.get("HF_HUB_CACHE") or constants.HF_HUB_CACHE)


def yolo_path(cache_dir: str | os.PathLike | None = None) -> Path:
    # Kept beside the Hub cache so one folder (one Modal volume, one env var) holds every weight.
    tag = YOLO.url.rsplit("/", 2)[-2]
    return hub_cache_dir(cache_dir) / "restyle-ultralytics" / tag / YOLO.filename


def snapshot_dir(checkpoint: Checkpoint, cache_dir: str | os.PathLike | None = None) -> Path | None:
    """The local folder holding every file of `checkpoint`, or None when any file is missing.

    Looks only at the disk, never at the network, so it answers at once offline.
    """
    from huggingface_hub import try_to_load_from_cache

    folder = None
    for filename in checkpoint.files:
        found = try_to_load_from_cache(
            checkpoint.repo_id, filename, revision=checkpoint.revision, cache_dir=hub_cache_dir(cache_dir)
        )
        if not isinstance(found, str):  # None, or the "known to be missing" sentinel
            return None
        folder = Path(found).parents[filename.count("/")]
    return folder


def hub_offline() -> bool:
    """HF_HUB_OFFLINE as set now (huggingface_hub itself reads it only once, at import)."""
    value = os.environ.get("HF_HUB_OFFLINE")
    if value is not None:
        return value.strip().lower() in ("1", "true", "yes", "on")
    try:
        from huggingface_hub import constants
    except ImportError:
        return False
    return bool(constants.HF_HUB_OFFLINE)


def missing_weights(cache_dir: str | os.PathLike | None = None) -> list[str]:
    """Human-readable names of the pinned weights that are not on this machine."""
    try:
        missing = [c.ref for c in CHECKPOINTS if snapshot_dir(c, cache_dir) is None]
        has_yolo = yolo_path(cache_dir).is_file()
    except ImportError:  # a process without huggingface_hub cannot have loaded the weights either
        return [c.ref for c in CHECKPOINTS] + [YOLO.filename]
    return missing if has_yolo else [*missing, YOLO.filename]


@dataclass(frozen=True)
class ProfileStatus:
    name: str  # "sd15" or "tiny"
    real: bool  # False: results are not real designs
    notice: str  # one line for logs and the dashboard


def active_profile() -> ProfileStatus:
    """Which model profile this process runs: MODEL_PROFILE, else sd15 when cached, else tiny."""
    explicit = os.environ.get("MODEL_PROFILE", "").strip().lower()
    if explicit and explicit not in PROFILES:
        raise ValueError(f"MODEL_PROFILE={explicit!r}: use one of {', '.join(PROFILES)}")
    if explicit == "tiny":
        return ProfileStatus("tiny", False, "MODEL_PROFILE=tiny: tiny random models, results are not real designs")
    if explicit == "sd15":
        return ProfileStatus("sd15", True, "Stable Diffusion 1.5 with depth and canny ControlNets")
    missing = missing_weights()
    if not missing:
        return ProfileStatus("sd15", True, "Stable Diffusion 1.5 with depth and canny ControlNets")
    notice = f"Model weights are not installed: designs come from tiny random models, not real designs; {FETCH_HINT}."
    _warn_once(f"{notice} Missing: {', '.join(missing)}")
    return ProfileStatus("tiny", False, notice)


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # The dashboard asks on every page view; the log needs it once per process.
    if message not in _warned:
        _warned.add(message)
        log.warning(message)
