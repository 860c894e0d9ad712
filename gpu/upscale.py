"""Upscaling a finished result to print size: Real-ESRGAN x4plus, run in tiles.

`run(request, upscaler)` is the whole job, one stream of events like the restyle pipeline's: the image is
cut into overlapping tiles, each tile enlarged 4x by the network (so the GPU never holds more than one
tile's activations, whatever the output size: a 4096 px result fits in a few hundred MB), pasted into the
output, then the output is resized to the exact size asked for (2x or 4x, the long side capped at
`max_side`, aspect kept) with Lanczos. 2x is therefore the 4x result downsampled: supersampled, sharper
than a 2x network alone.

The network is RRDBNet (ESRGAN's, as Real-ESRGAN trains it), written out here with the same module names
as the published checkpoint so its state dict loads as is. `tiny` is the same class with 4 features and
one block, random from a fixed seed, for tests and offline development; the real weights are pinned in
gpu.weights (UPSCALER). The architecture's sizes are read from a checkpoint's own tensors, so any RRDBNet
x4 checkpoint of that layout loads.
"""
from __future__ import annotations

import io
import logging
import math
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional

from gpu import weights
from gpu.errors import InvalidImage, InvalidRequest, ModelUnavailable
from gpu.types import UPSCALE_FACTORS, Event, UpscaleRequest, UpscaleResult

log = logging.getLogger(__name__)

SCALE = 4  # what the network does; every factor is reached from its output
SEED = 20240611
SIZES = {
    "sd15": {"num_feat": 64, "num_block": 23, "num_grow_ch": 32},  # Real-ESRGAN x4plus
    "tiny": {"num_feat": 4, "num_block": 1, "num_grow_ch": 4},
}
TILE_OVERLAP = 16  # input pixels of context on each side of a tile, cropped away after: no seams
JPEG_QUALITY = 95  # for print: the file is downloaded once, its size matters less than its detail


class ResidualDenseBlock(nn.Module):
    def __init__(self, num_feat: int, num_grow_ch: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(num_feat, num_grow_ch, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat + num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv3 = nn.Conv2d(num_feat + 2 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv4 = nn.Conv2d(num_feat + 3 * num_grow_ch, num_grow_ch, 3, 1, 1)
        self.conv5 = nn.Conv2d(num_feat + 4 * num_grow_ch, num_feat, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, num_feat: int, num_grow_ch: int) -> None:
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    """ESRGAN's generator at 4x: RGB in [0, 1] in, RGB (about [0, 1]) four times larger out."""

    def __init__(self, *, num_feat: int, num_block: int, num_grow_ch: int) -> None:
        super().__init__()
        self.conv_first = nn.Conv2d(3, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*(RRDB(num_feat, num_grow_ch) for _ in range(num_block)))
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, 3, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = self.lrelu(self.conv_up1(functional.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(functional.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))


def build(size: str) -> RRDBNet:
    """The network of `size` with random weights from a fixed seed (tiny: tests; sd15: timing without weights)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        return RRDBNet(**SIZES[size]).eval()


def from_state_dict(state: dict[str, torch.Tensor]) -> RRDBNet:
    """An RRDBNet sized by the checkpoint's own tensors, with its weights. Raises ValueError when it is not one."""
    state = state.get("params_ema", state.get("params", state))
    try:
        sizes = {
            "num_feat": state["conv_first.weight"].shape[0],
            "num_grow_ch": state["body.0.rdb1.conv1.weight"].shape[0],
            "num_block": 1 + max(int(key.split(".")[1]) for key in state if key.startswith("body.")),
        }
    except (KeyError, ValueError, AttributeError) as exc:
        raise ValueError(f"not an RRDBNet x4 checkpoint ({exc})") from exc
    network = RRDBNet(**sizes)
    network.load_state_dict(state, strict=True)  # a missing or extra tensor is a different network: refuse it
    return network.eval()


def target_size(width: int, height: int, factor: int, max_side: int) -> tuple[int, int]:
    """The delivered size: exactly `factor` times, or, when that passes `max_side`, the long side at `max_side`
    and the short side in proportion (rounded to the nearest pixel)."""
    if factor not in UPSCALE_FACTORS:
        raise InvalidRequest(f"Upscale by {' or '.join(map(str, UPSCALE_FACTORS))}, not {factor}.")
    if max(width, height) * factor <= max_side:
        return width * factor, height * factor
    scale = max_side / max(width, height)
    if width >= height:
        return max_side, max(1, round(height * scale))
    return max(1, round(width * scale)), max_side


# --- Loading ---------------------------------------------------------------------------------------------------


@dataclass
class Upscaler:
    network: RRDBNet
    profile: str
    real: bool
    device: torch.device
    dtype: torch.dtype
    version: str  # "repo@revision", or the profile name for random weights
    tile: int  # input pixels per tile side
    lock: threading.Lock = field(default_factory=threading.Lock)  # one job at a time on one network


_cache: dict[tuple[str, str, torch.dtype], Upscaler] = {}
_cache_lock = threading.Lock()


def load(profile: str | None = None, device: str | torch.device | None = None,
         dtype: torch.dtype | None = None) -> Upscaler:
    """The upscaler for `profile` (as gpu.loading: MODEL_PROFILE, else sd15 when cached, else tiny), per process."""
    from gpu.loading import default_device

    profile = profile or weights.active_profile().name
    device = torch.device(device) if device else default_device()
    real_size = profile != "tiny"
    dtype = dtype or (torch.float16 if device.type == "cuda" and real_size else torch.float32)
    key = (profile, str(device), dtype)
    with _cache_lock:
        if key not in _cache:
            _cache[key] = _load(profile, device, dtype)
        return _cache[key]


def _load(profile: str, device: torch.device, dtype: torch.dtype) -> Upscaler:
    if profile == "sd15":
        network, version = _real_network(), weights.UPSCALER.ref
    elif profile in ("tiny", "sd15-random"):
        network, version = build("tiny" if profile == "tiny" else "sd15"), profile
    else:
        raise ValueError(f"unknown model profile {profile!r}")
    return to_device(Upscaler(network=network, profile=profile, real=profile == "sd15", device=device, dtype=dtype,
                              version=version, tile=_tile_size(profile, device)), device, dtype)


def _real_network() -> RRDBNet:
    from gpu.loading import _require  # the one place that finds, or downloads when allowed, a pinned checkpoint

    path = _require(weights.UPSCALER) / weights.UPSCALER.files[0]
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)  # tensors only: no pickled code runs
        return from_state_dict(state)
    except (OSError, RuntimeError, ValueError) as exc:  # a half-downloaded or foreign file
        raise ModelUnavailable(f"Could not load the upscaler {weights.UPSCALER.ref} ({exc}); "
                               f"{weights.FETCH_HINT}.") from exc


def to_device(upscaler: Upscaler, device: str | torch.device, dtype: torch.dtype | None = None) -> Upscaler:
    """The same upscaler on another device (the Modal snapshot loads on the CPU, then moves to the GPU)."""
    device = torch.device(device)
    dtype = dtype or (torch.float16 if device.type == "cuda" and upscaler.profile != "tiny" else torch.float32)
    upscaler.network.to(device, dtype)
    upscaler.device, upscaler.dtype, upscaler.tile = device, dtype, _tile_size(upscaler.profile, device)
    return upscaler


def _tile_size(profile: str, device: torch.device) -> int:
    """Input pixels per tile side. On a GPU, 512 px (a 2176 px output tile with its context): the real network's
    largest activations are 64 channels at the output size, about 0.6 GB each in fp16, so a few GB at the peak
    (estimated from the shapes; not measured on a GPU here). On a CPU smaller tiles bound the memory the same
    way. RESTYLE_UPSCALE_TILE overrides it."""
    value = os.environ.get("RESTYLE_UPSCALE_TILE", "").strip()
    if value:
        return max(32, int(value))
    if profile == "tiny":
        return 192
    return 512 if device.type == "cuda" else 256


# --- Running ---------------------------------------------------------------------------------------------------


def run(request: UpscaleRequest, upscaler: Upscaler) -> Iterator[Event]:
    """Enlarge one result: progress per tile, then one final event carrying the image."""
    if request.factor not in UPSCALE_FACTORS:  # before any work
        raise InvalidRequest(f"Upscale by {' or '.join(map(str, UPSCALE_FACTORS))}, not {request.factor}.")
    started = time.monotonic()
    yield Event("upscaling", 0.0, "Reading your design...")
    image = _decode(request.image)
    width, height = target_size(image.width, image.height, request.factor, request.max_side)
    pixels = np.array(image, dtype=np.uint8)  # writable: torch.from_numpy warns on a read-only view
    tiles = list(_tiles(image.height, image.width, upscaler.tile))
    output = np.empty((image.height * SCALE, image.width * SCALE, 3), dtype=np.uint8)
    message = f"Enlarging your design to {width} × {height}..."
    with upscaler.lock, torch.inference_mode():
        for done, (y0, y1, x0, x1) in enumerate(tiles, start=1):
            output[y0 * SCALE:y1 * SCALE, x0 * SCALE:x1 * SCALE] = _enlarge_tile(upscaler, pixels, y0, y1, x0, x1)
            yield Event("upscaling", 0.95 * done / len(tiles), message)
        if upscaler.device.type == "cuda":
            torch.cuda.synchronize(upscaler.device)
    network_seconds = time.monotonic() - started
    enlarged = Image.fromarray(output)
    if enlarged.size != (width, height):
        enlarged = enlarged.resize((width, height), Image.Resampling.LANCZOS)
    encoded = _encode(enlarged)
    total = time.monotonic() - started
    result = UpscaleResult(
        image=encoded, width=width, height=height,
        timings={"network": round(network_seconds, 4), "total": round(total, 4), "tiles": float(len(tiles))},
        model=upscaler.version, device=str(upscaler.device),
        gpu_seconds=total if upscaler.device.type == "cuda" else 0.0,
    )
    yield Event("completed", 1.0, "Done", upscaled=result)


def _decode(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (OSError, Image.DecompressionBombError) as exc:
        raise InvalidImage("The design's image could not be read.") from exc
    return image.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, subsampling=0)  # full chroma: print shows it
    return buffer.getvalue()


def _tiles(height: int, width: int, tile: int) -> Iterator[tuple[int, int, int, int]]:
    """Core regions (y0, y1, x0, x1) covering the image, about `tile` px each, evenly split."""
    rows, cols = math.ceil(height / tile), math.ceil(width / tile)
    ys = [round(i * height / rows) for i in range(rows + 1)]
    xs = [round(j * width / cols) for j in range(cols + 1)]
    for i in range(rows):
        for j in range(cols):
            yield ys[i], ys[i + 1], xs[j], xs[j + 1]


def _enlarge_tile(upscaler: Upscaler, pixels: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
    """One core region, enlarged with TILE_OVERLAP px of context around it that is then cropped away."""
    height, width = pixels.shape[:2]
    py0, py1 = max(0, y0 - TILE_OVERLAP), min(height, y1 + TILE_OVERLAP)
    px0, px1 = max(0, x0 - TILE_OVERLAP), min(width, x1 + TILE_OVERLAP)
    patch = torch.from_numpy(np.ascontiguousarray(pixels[py0:py1, px0:px1])).permute(2, 0, 1)[None]
    patch = patch.to(upscaler.device, upscaler.dtype) / 255.0
    out = upscaler.network(patch).float().clamp_(0, 1).mul_(255).round_().to(torch.uint8)
    top, left = (y0 - py0) * SCALE, (x0 - px0) * SCALE
    out = out[0, :, top:top + (y1 - y0) * SCALE, left:left + (x1 - x0) * SCALE]
    return out.permute(1, 2, 0).cpu().numpy()
