"""Shared by the gpu tests: the fixture photos, the tiny models (loaded once per process), requests."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from gpu.types import RestyleRequest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rooms"  # carried in the repository
BIG_PHOTO = FIXTURES / "living-room-cluttered.jpg"  # 4032x3024, 12 megapixels
RENDER_PHOTO = FIXTURES / "home-theater-render.jpg"  # 704x512
PHOTOS = (BIG_PHOTO, RENDER_PHOTO)
FAST_STEPS = 3  # denoising steps in tests: the path is the same at 3 as at 20


def tiny_models():
    from gpu import loading

    return loading.load("tiny", "cpu")  # cached by gpu.loading for the whole test process


def photo_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


def make_request(path: Path = RENDER_PHOTO, **overrides) -> RestyleRequest:
    fields = {"image": path.read_bytes(), "style": "japandi", "resolution": 512, "steps": FAST_STEPS, "seed": 7}
    return RestyleRequest(**{**fields, **overrides})


def run_to_end(request: RestyleRequest, **options):
    """All events of one tiny run; the last carries the result."""
    from gpu import pipeline

    return list(pipeline.run(request, tiny_models(), **options))


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


class PipeSpy:
    """Stands in for a diffusers pipeline: records each call's arguments and passes it on."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.pipe(**kwargs)

    def __getattr__(self, name):
        return getattr(self.pipe, name)


def pipe_spy(monkeypatch, kind: str, *, fast: bool = False) -> PipeSpy:
    """The tiny models' `kind` ("img2img" or "inpaint") pipeline, spied on for this test."""
    models = tiny_models()
    spy = PipeSpy(models.pipes[kind, fast])
    monkeypatch.setitem(models.pipes, (kind, fast), spy)
    return spy
