"""The photo goes through the VAE encoder once per denoising call, however many variations it makes."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
import torch
from diffusers import StableDiffusionControlNetInpaintPipeline

from gpu.types import Detection
from tests.gpu.support import make_request, pipe_spy, run_to_end, tiny_models

SOFA = Detection(label="couch", box=(100.0, 180.0, 380.0, 330.0), confidence=0.9)  # random YOLO finds nothing


@contextmanager
def encoder_passes():
    """Counts the images the (shared) VAE encoder sees."""
    seen = []
    hook = tiny_models().pipes["img2img", False].vae.encoder.register_forward_hook(
        lambda module, args, output: seen.append(args[0].shape[0]))
    try:
        yield seen
    finally:
        hook.remove()


@pytest.mark.parametrize("keep_furniture", [False, True])
def test_it_encodes_the_photo_once_for_all_variations(keep_furniture, monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")  # no retry: one denoising call
    with encoder_passes() as seen:
        run_to_end(make_request(variations=3, keep_furniture=keep_furniture), detections=[SOFA])
    assert seen == [1]


def test_it_gives_the_same_result_as_diffusers_inpaint_without_the_masked_image_pass(monkeypatch):
    """The skipped pass fed nothing our 4-channel UNet reads: the stock pipeline makes the same latents."""
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")
    spy = pipe_spy(monkeypatch, "inpaint")
    run_to_end(make_request(variations=2, keep_furniture=True), detections=[SOFA])
    call = {k: v for k, v in spy.calls[0].items() if k != "callback_on_step_end"}
    stock = StableDiffusionControlNetInpaintPipeline(**spy.pipe.components)
    stock.set_progress_bar_config(disable=True)
    images = {}
    for name, pipe in (("ours", spy.pipe), ("stock", stock)):
        call["generator"] = [torch.Generator("cpu").manual_seed(seed) for seed in (0, 1)]
        images[name] = pipe(**call).images
    assert torch.allclose(images["ours"], images["stock"], atol=1e-5)
