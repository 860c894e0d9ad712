"""Quick mode: a few-step distilled UNet, no classifier-free guidance, and TAESD for decoding.

- The LCM-LoRA for SD 1.5 (pinned in gpu.weights) is fused into a copy of the UNet once at load:
  no LoRA layers at run time, and the standard UNet stays untouched for standard designs.
- LCMScheduler, FAST_STEPS denoising steps actually run (img2img skips the start of the schedule,
  so the schedule asks for FAST_STEPS / strength), guidance scale 1: one UNet pass per step instead
  of two.
- TAESD (AutoencoderTiny, pinned) encodes and decodes in quick mode, and decodes every live
  preview in both modes: a few milliseconds on a GPU where the full VAE takes tens.

The `tiny` profile gets stand-ins built in code: a random low-rank LoRA over the tiny UNet's
attention projections (fused through the same code as the real one) and a tiny AutoencoderTiny.
"""
from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import numpy as np
import torch
from diffusers import AutoencoderTiny, LCMScheduler, UNet2DConditionModel
from PIL import Image

FAST_STEPS = 4  # denoising steps that actually run in quick mode (LCM-LoRA: 4-6 is its sweet spot)
FAST_GUIDANCE = 1.0  # LCM was distilled with guidance baked in: 1 turns classifier-free guidance off
TINY_LORA_RANK = 2
TINY_TAESD = {"encoder_block_out_channels": (8, 8, 8, 8), "decoder_block_out_channels": (8, 8, 8, 8),
              "num_encoder_blocks": (1, 1, 1, 1), "num_decoder_blocks": (1, 1, 1, 1)}
_LORA_SUFFIXES = ((".lora_A.weight", ".lora_B.weight"), (".lora.down.weight", ".lora.up.weight"),
                  (".lora_down.weight", ".lora_up.weight"))


def scheduler(config: dict[str, Any]) -> LCMScheduler:
    return LCMScheduler.from_config(config)


def fused_unet(unet: UNet2DConditionModel, lora: str | Path | dict[str, torch.Tensor]) -> UNet2DConditionModel:
    """A copy of `unet` with the LoRA (a file, or a state dict in any format diffusers reads) fused in."""
    from diffusers import StableDiffusionPipeline

    state, alphas = StableDiffusionPipeline.lora_state_dict(str(lora) if isinstance(lora, Path) else lora)
    fast = copy.deepcopy(unet)
    fused = fuse_lora(fast, state, alphas or {})
    if not fused:
        raise ValueError("the LoRA has no UNet layers this UNet knows")
    return fast


@torch.no_grad()
def fuse_lora(unet: torch.nn.Module, state: dict[str, torch.Tensor], alphas: dict[str, float]) -> int:
    """W += (alpha / rank) · up @ down for every LoRA pair in `state`; returns how many layers changed.

    A key naming a layer the UNet does not have raises: a mismatched adapter must fail at load, not
    silently leave the model unchanged.
    """
    count = 0
    for key, down in state.items():
        for down_suffix, up_suffix in _LORA_SUFFIXES:
            if not key.endswith(down_suffix):
                continue
            name = key[: -len(down_suffix)]
            if not name.startswith("unet."):
                break  # text-encoder layers: SD 1.5's few-step adapters have none, and they would not apply here
            module = unet.get_submodule(name.removeprefix("unet."))
            up = state[name + up_suffix]
            rank = down.shape[0]
            alpha = alphas.get(f"{name}.alpha", alphas.get(f"{name.removeprefix('unet.')}.alpha", rank))
            delta = up.flatten(1).float() @ down.flatten(1).float() * (float(alpha) / rank)
            module.weight += delta.reshape(module.weight.shape).to(module.weight.dtype)
            count += 1
            break
    return count


def tiny_lora(unet: UNet2DConditionModel, seed: int) -> dict[str, torch.Tensor]:
    """A random low-rank adapter over every attention projection of the tiny UNet, in diffusers' own format."""
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for name, module in unet.named_modules():
        if isinstance(module, torch.nn.Linear) and name.rsplit(".", 1)[-1] in ("to_q", "to_k", "to_v"):
            state[f"unet.{name}.lora_A.weight"] = torch.randn(TINY_LORA_RANK, module.in_features, generator=generator)
            state[f"unet.{name}.lora_B.weight"] = 0.05 * torch.randn(module.out_features, TINY_LORA_RANK,
                                                                     generator=generator)
    return state


def tiny_taesd(seed: int) -> AutoencoderTiny:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return AutoencoderTiny(**TINY_TAESD).eval()


def load_taesd(folder: Path, dtype: torch.dtype) -> AutoencoderTiny:
    return AutoencoderTiny.from_pretrained(folder, dtype=dtype).eval()


@torch.inference_mode()
def preview(taesd: AutoencoderTiny, latents: torch.Tensor, box: tuple[int, int, int, int] | None = None,
            long_side: int = 256, quality: int = 70) -> bytes:
    """A small JPEG of one (4, h, w) latent through TAESD; `box` (x, y, w, h in pixels) crops the bucket's border.

    The whole latent is decoded and the pixels cropped after: one decoder shape per bucket, never a recompile.
    """
    decoded = taesd.decode(latents[None].to(taesd.device, taesd.dtype)).sample[0]
    pixels = ((decoded.float().clamp(-1, 1) + 1) * 127.5).round().byte().permute(1, 2, 0).cpu().numpy()
    if box is not None:
        x, y, width, height = box
        pixels = pixels[y:y + height, x:x + width]
    image = Image.fromarray(np.ascontiguousarray(pixels))
    scale = long_side / max(image.size)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def run_steps(strength: float) -> int:
    """How many steps the schedule must have so that FAST_STEPS of them run from `strength` on."""
    return max(FAST_STEPS, int(np.ceil(FAST_STEPS / max(strength, 1e-3))))
