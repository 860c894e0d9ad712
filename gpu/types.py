"""The data that crosses the backend boundary: one request in, a stream of events out.

Everything here is plain data (bytes, str, numbers, lists, dicts) so it can be
pickled to and from the Modal app and turned into JSON for the web side.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

STAGES = ("analyzing", "detecting", "generating", "transforming", "finalizing")
RESOLUTIONS = (512, 768, 1024)
# What a design does to the photo (gpu/modes.py): restyle all of it, empty it, furnish it, or change one area.
MODES = ("restyle", "declutter", "stage", "edit")
# What a design may do to each object an earlier design of the photo found (gpu/objects.py).
OBJECT_ACTIONS = ("keep", "replace", "remove")


@dataclass(frozen=True)
class RestyleRequest:
    image: bytes  # the uploaded photo, any accepted format; the pipeline decodes it itself
    style: str  # a code from gpu.styles
    room_type: str | None = None  # None: detect it
    keep_furniture: bool = False
    color_palette: tuple[str, ...] = ()  # "#rrggbb" strings
    wall_color: str | None = None  # "#rrggbb" or a colour word
    flooring: str | None = None
    prompt: str = ""  # the user's free-text wish
    creativity: float = 0.5  # 0..1, mapped to img2img strength
    seed: int | None = None
    variations: int = 1  # 1..4, generated in one batched call
    resolution: int = 768  # long side of the output, one of RESOLUTIONS
    steps: int = 20
    fast: bool = False  # few-step schedule
    mode: str = "restyle"  # one of MODES
    mask: bytes | None = None  # edit: a PNG, white or opaque where the photo changes; the photo's aspect, any size
    style_reference: bytes | None = None  # a photo whose look the result takes (image-prompt adapter), any format
    # Object-by-object choices (gpu/objects.py): {"id", "label", "action": keep|replace|remove,
    # "box": [x1, y1, x2, y2] in the pixels of "frame": [width, height]}
    objects: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RestyleRequest:
        data = dict(data)
        data["color_palette"] = tuple(data.get("color_palette") or ())
        data["objects"] = tuple(data.get("objects") or ())
        return cls(**data)


@dataclass(frozen=True)
class Variation:
    image: bytes  # JPEG
    thumbnail: bytes  # JPEG, long side 384
    seed: int
    width: int
    height: int
    quality_score: float  # layout preservation in [0, 1]


@dataclass(frozen=True)
class Detection:
    label: str
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 in output pixels
    confidence: float


@dataclass(frozen=True)
class RestyleResult:
    variations: list[Variation]
    maps: dict[str, bytes]  # "depth", "edges", "mask" (when keep_furniture): PNG bytes
    timings: dict[str, float]  # seconds per stage
    furniture: list[Detection]
    detected_room_type: str | None
    quality: dict[str, Any]  # per-variation scores, sanity flags, whether a retry happened
    models: dict[str, str]  # component -> "id@revision" (or "tiny")
    device: str  # "cuda:0", "cpu"
    gpu_seconds: float  # wall time on the accelerator (0 on CPU)


# Upscaling a finished result to print size (gpu/upscale.py): its own job, the same backends and events.
UPSCALE_FACTORS = (2, 4)
UPSCALE_MAX_SIDE = 4096  # the long side of an upscaled image never exceeds this; the aspect ratio is kept


@dataclass(frozen=True)
class UpscaleRequest:
    image: bytes  # the result to enlarge (a JPEG the pipeline made)
    factor: int  # one of UPSCALE_FACTORS
    max_side: int = UPSCALE_MAX_SIDE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UpscaleRequest:
        return cls(**data)


@dataclass(frozen=True)
class UpscaleResult:
    image: bytes  # JPEG, quality 95
    width: int
    height: int
    timings: dict[str, float]
    model: str  # "repo@revision", or "tiny"
    device: str
    gpu_seconds: float  # wall time on the accelerator (0 on CPU)


@dataclass(frozen=True)
class Event:
    stage: str  # one of STAGES, "upscaling", or "completed" for the final event
    progress: float  # 0..1, never goes back within one run
    message: str  # for people: "Applying scandinavian style..."
    preview: bytes | None = None  # small JPEG while denoising
    result: RestyleResult | None = None  # only on the final event of a restyle
    upscaled: UpscaleResult | None = None  # only on the final event of an upscale

    @property
    def is_final(self) -> bool:
        return self.result is not None or self.upscaled is not None
