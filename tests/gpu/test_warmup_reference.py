"""The warm-up runs every shape with and without a style reference: the adapter on is another compiled graph."""
from __future__ import annotations

from gpu import compile
from tests.gpu.support import tiny_models


def _warm(monkeypatch, setting: str) -> tuple[list[str], int]:
    monkeypatch.setenv("RESTYLE_WARMUP_REFERENCE", setting)
    monkeypatch.setattr("gpu.buckets.buckets_for", lambda resolution: [(512, 384)])  # one shape is enough
    encoded = []
    encoder = tiny_models().pipes["img2img", False].image_encoder
    hook = encoder.register_forward_hook(lambda module, args, output: encoded.append(1))
    try:
        warmed = compile.warm_up(tiny_models(), resolutions=(512,), batches=(1,), modes=(False,))
    finally:
        hook.remove()
    return warmed, len(encoded)


def test_it_warms_each_shape_with_and_without_a_reference(monkeypatch):
    assert _warm(monkeypatch, "on") == (["512x384 b1 standard", "512x384 b1 standard reference"], 1)
    assert _warm(monkeypatch, "off") == (["512x384 b1 standard"], 0)
