"""A decode that fp16 breaks (NaN) is decoded again in fp32 from the same latents, not denoised again."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.gpu.support import decode, make_request, run_to_end, tiny_models

STEPS = 3


@pytest.fixture
def fp16_overflowing_vae(monkeypatch):
    """The tiny VAE's decoder in fp16 with activations past fp16's range, as SD 1.5's overflows on a GPU.

    Only the decoder: the pipeline encodes the photo in fp32 as before. Restored afterwards.
    """
    vae = tiny_models().pipes["img2img", False].vae
    saved = {name: tensor.clone() for name, tensor in vae.state_dict().items()}
    with torch.no_grad():
        vae.decoder.conv_in.weight.mul_(1e5)
    vae.decoder.to(torch.float16)
    vae.post_quant_conv.to(torch.float16)
    yield vae
    vae.to(torch.float32)
    vae.load_state_dict(saved)


@pytest.fixture
def unet_calls():
    unet = tiny_models().pipes["img2img", False].unet  # one UNet, shared by every pipeline
    calls = []
    handle = unet.register_forward_hook(lambda module, args, output: calls.append(1))
    yield calls
    handle.remove()


@pytest.fixture
def no_layout_retry(monkeypatch):
    # Random weights never keep the layout: without this every run would be redone for that reason alone.
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")


def test_it_decodes_a_nan_decode_again_in_fp32_without_a_second_denoise(
        fp16_overflowing_vae, unet_calls, no_layout_retry):
    result = run_to_end(make_request(steps=STEPS, variations=2))[-1].result

    assert len(unet_calls) == STEPS  # one denoise: classifier-free guidance batches both halves in one call
    assert result.quality["fp32_decodes"] == [0, 1]
    assert not result.quality["retried"]
    for variation, check in zip(result.variations, result.quality["variations"], strict=True):
        assert check["flags"] == []
        pixels = np.asarray(decode(variation.image)).astype(float)
        assert pixels.mean() > 10 and pixels.std() > 1  # a picture, not the black a NaN becomes
    assert next(fp16_overflowing_vae.decoder.parameters()).dtype == torch.float16  # put back for the next request


def test_it_keeps_the_fp16_decode_when_it_is_sound(unet_calls, no_layout_retry):
    result = run_to_end(make_request(steps=STEPS))[-1].result

    assert len(unet_calls) == STEPS
    assert result.quality["fp32_decodes"] == []
