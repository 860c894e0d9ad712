"""A style reference photo steers the result through the image-prompt adapter (gpu/adapter.py), tiny profile."""
from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from gpu import adapter, pipeline
from gpu.errors import InvalidImage
from gpu.types import Detection
from tests.gpu.support import BIG_PHOTO, decode, make_request, pipe_spy, run_to_end, tiny_models

SOFA = Detection(label="couch", box=(100.0, 180.0, 380.0, 330.0), confidence=0.9)  # random YOLO finds nothing


def _reference(colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (400, 300), colour)
    image.paste((255 - colour[0], 90, 200), (0, 0, 150, 300))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _pixels(result) -> np.ndarray:
    return np.asarray(decode(result.variations[0].image), dtype=np.int16)


def test_it_gives_another_result_for_a_reference_and_another_for_another_reference():
    plain = run_to_end(make_request())[-1].result
    red = run_to_end(make_request(style_reference=_reference((200, 40, 30))))[-1].result
    photo = run_to_end(make_request(style_reference=BIG_PHOTO.read_bytes()))[-1].result

    assert np.abs(_pixels(red) - _pixels(plain)).mean() > 1
    assert np.abs(_pixels(photo) - _pixels(red)).mean() > 1
    assert "ip_adapter" not in plain.models
    assert red.models["ip_adapter"] == "tiny"


def test_it_encodes_the_reference_once_and_gives_its_embeds_to_every_call(monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "2")  # every variation is redone: a second denoising call
    seen = []
    encoder = tiny_models().pipes["img2img", False].image_encoder
    hook = encoder.register_forward_hook(lambda module, args, output: seen.append(output.image_embeds.clone()))
    spy = pipe_spy(monkeypatch, "img2img")
    try:
        result = run_to_end(make_request(variations=3, style_reference=_reference((30, 60, 200))))[-1].result
    finally:
        hook.remove()

    assert result.quality["retried"] and len(spy.calls) == 2
    [embedding] = seen  # one encoder pass for the first try, the retry and all three variations
    for call in spy.calls:
        [embeds] = call["ip_adapter_image_embeds"]
        negative, positive = embeds.chunk(2)  # guidance: [no image, the reference]
        assert torch.equal(positive[0], embedding) and not negative.any()


def test_it_steers_quick_mode_with_the_same_embeds(monkeypatch):
    spy = pipe_spy(monkeypatch, "img2img", fast=True)
    plain = run_to_end(make_request(fast=True))[-1].result
    referenced = run_to_end(make_request(fast=True, style_reference=_reference((200, 40, 30))))[-1].result

    [embeds] = spy.calls[-1]["ip_adapter_image_embeds"]
    assert embeds.shape[0] == 1  # no guidance in quick mode: the reference alone
    assert np.abs(_pixels(referenced) - _pixels(plain)).mean() > 0.3  # 4 steps from less noise: a smaller change


def test_it_steers_inpainting_when_furniture_is_kept(monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")
    spy = pipe_spy(monkeypatch, "inpaint")
    request = make_request(keep_furniture=True, style_reference=_reference((200, 40, 30)))
    referenced = run_to_end(request, detections=[SOFA])[-1].result
    [embeds] = spy.calls[-1]["ip_adapter_image_embeds"]
    plain = run_to_end(make_request(keep_furniture=True), detections=[SOFA])[-1].result

    assert embeds[1].any() and referenced.models["ip_adapter"] == "tiny"
    assert np.abs(_pixels(referenced) - _pixels(plain)).mean() > 1


def test_it_turns_an_unreadable_reference_away_by_name():
    with pytest.raises(InvalidImage, match="Style reference"):
        run_to_end(make_request(style_reference=b"not a picture"))


def test_it_gives_the_result_of_a_pipeline_without_the_adapter_when_there_is_no_reference(monkeypatch):
    from gpu import loading

    assert adapter.has_adapter(tiny_models().pipe(inpaint=False, fast=False))  # loaded (and cached) first
    monkeypatch.setattr(adapter, "attach", lambda *args, **kwargs: None)
    bare = loading._load("tiny", torch.device("cpu"), torch.float32)  # no adapter in its UNets
    assert not adapter.has_adapter(bare.pipe(inpaint=False, fast=False))

    without = list(pipeline.run(make_request(variations=2), bare))[-1].result
    adapted = run_to_end(make_request(variations=2))[-1].result
    for ours, theirs in zip(adapted.variations, without.variations, strict=True):
        assert np.array_equal(np.asarray(decode(ours.image)), np.asarray(decode(theirs.image)))


def test_it_keeps_the_adapter_when_the_projections_are_fused():
    from gpu import loading

    fused = loading._load("tiny", torch.device("cpu"), torch.float32)  # its own copy: fusing changes the modules
    request = make_request(style_reference=_reference((200, 40, 30)))
    before = list(pipeline.run(request, fused))[-1].result
    for unet in (fused.pipe(inpaint=False, fast=False).unet, fused.pipe(inpaint=False, fast=True).unet):
        adapter.fuse_qkv(unet)
    after = list(pipeline.run(request, fused))[-1].result
    plain = list(pipeline.run(make_request(), fused))[-1].result

    assert np.abs(_pixels(after) - _pixels(before)).max() <= 2
    assert np.abs(_pixels(after) - _pixels(plain)).mean() > 1
