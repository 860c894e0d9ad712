"""Latents to pixels, with an fp32 second chance for the decodes fp16 breaks.

SD 1.5's VAE decoder overflows fp16 on some latents: the image comes back NaN (black
once converted). The latents themselves are fine, so the fix is to decode those again
in fp32, not to denoise again.
"""
from __future__ import annotations

from contextlib import contextmanager, nullcontext

import numpy as np
import torch

from gpu import quality

DECODE_FAILURES = frozenset({"nan", "black"})


def decode_failed(image: np.ndarray) -> bool:
    return bool(DECODE_FAILURES & set(quality.sanity_flags(image)))


@torch.inference_mode()
def decode(pipe, latents: torch.Tensor, *, fp32: bool = False) -> list[np.ndarray]:
    """(B, 4, h, w) latents -> B float images (H, W, 3) in 0..1, as the diffusers pipeline would return them.

    The caller holds the models' lock: the VAE is shared.
    """
    vae = pipe.vae
    with _upcast(vae) if fp32 else nullcontext():
        dtype = next(vae.decoder.parameters()).dtype
        scaled = latents.to(dtype) / vae.config.scaling_factor
        image = vae.decode(scaled, return_dict=False)[0]
    images = pipe.image_processor.postprocess(image.float(), output_type="np", do_denormalize=[True] * len(image))
    return list(images)


@contextmanager
def _upcast(vae):
    # In place and back (diffusers' own upcast_vae does the same): no second copy of the VAE kept in memory.
    parts = [vae.decoder] + ([vae.post_quant_conv] if getattr(vae, "post_quant_conv", None) is not None else [])
    dtypes = [next(part.parameters()).dtype for part in parts]
    for part in parts:
        part.to(torch.float32)
    try:
        yield
    finally:
        for part, dtype in zip(parts, dtypes, strict=True):
            part.to(dtype)
