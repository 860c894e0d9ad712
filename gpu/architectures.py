"""The model architectures written out in code, for weights that are random on purpose.

`tiny`: the same classes as the real profile, shrunk so the whole pipeline runs on
a CPU in about a second (tests, offline development). `sd15`: the real SD 1.5,
ControlNet v1.1 and CLIP ViT-L/14 text sizes, for timing the GPU without the
weights (`python -m gpu.bench --random-weights sd15`). Nothing here reads a file
or touches the network; a fixed seed makes every build identical.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from diffusers import AutoencoderKL, ControlNetModel, DPMSolverMultistepScheduler, UNet2DConditionModel
from transformers import (
    CLIPTextConfig,
    CLIPTextModel,
    CLIPTokenizer,
    DepthAnythingConfig,
    DepthAnythingForDepthEstimation,
    Dinov2Config,
)

SIZES = ("tiny", "sd15")
SEED = 20240601

# SD 1.5's noise schedule (its scheduler_config.json), so random-weight runs take the same steps.
SD15_SCHEDULE: dict[str, Any] = {
    "num_train_timesteps": 1000,
    "beta_start": 0.00085,
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "steps_offset": 1,
    "prediction_type": "epsilon",
}

_UNET: dict[str, dict[str, Any]] = {
    # Attention only at the lowest resolution: on a CPU, full-resolution attention costs more than all the rest.
    "tiny": {
        "block_out_channels": (8, 16, 16),
        "down_block_types": ("DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"),
        "up_block_types": ("CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D"),
        "layers_per_block": 1,
        "cross_attention_dim": 16,
        "attention_head_dim": 8,
        "norm_num_groups": 8,
    },
    "sd15": {
        "block_out_channels": (320, 640, 1280, 1280),
        "down_block_types": ("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
        "up_block_types": ("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
        "layers_per_block": 2,
        "cross_attention_dim": 768,
        "attention_head_dim": 8,
        "norm_num_groups": 32,
    },
}
# Four entries = three stride-2 convs: the control image enters at the latents' 1/8 scale.
_CONTROLNET_EMBEDDING = {"tiny": (4, 4, 8, 16), "sd15": (16, 32, 96, 256)}
_VAE: dict[str, dict[str, Any]] = {
    # Four blocks in both sizes: the 8x latent downscale must match SD 1.5's for the shapes to line up.
    "tiny": {"block_out_channels": (4, 4, 8, 8), "layers_per_block": 1, "norm_num_groups": 4},
    "sd15": {"block_out_channels": (128, 256, 512, 512), "layers_per_block": 2, "norm_num_groups": 32},
}
_TEXT: dict[str, dict[str, Any]] = {
    "tiny": {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2},
    "sd15": {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12},
}
# Depth Anything V2 Small's sizes for "sd15"; the tiny one keeps the structure, not the width.
_DEPTH: dict[str, dict[str, Any]] = {
    "tiny": {"hidden": 32, "layers": 4, "heads": 2, "neck": [8, 16, 32, 32], "fusion": 16, "head": 8},
    "sd15": {"hidden": 384, "layers": 12, "heads": 6, "neck": [48, 96, 192, 384], "fusion": 64, "head": 32},
}
DEPTH_INPUT_SIZE = {"tiny": 112, "sd15": 518}  # short side fed to the depth model, a multiple of 14


@dataclass
class RandomComponents:
    unet: UNet2DConditionModel
    controlnets: list[ControlNetModel]  # depth, canny
    vae: AutoencoderKL
    text_encoder: CLIPTextModel
    tokenizer: CLIPTokenizer
    scheduler: DPMSolverMultistepScheduler
    depth_model: DepthAnythingForDepthEstimation


def build(size: str) -> RandomComponents:
    if size not in SIZES:
        raise ValueError(f"unknown architecture size {size!r}: use one of {SIZES}")
    tokenizer = byte_level_clip_tokenizer()
    return RandomComponents(
        unet=_seeded(lambda: UNet2DConditionModel(sample_size=64, **_UNET[size])),
        controlnets=[_seeded(lambda: _controlnet(size), offset=i) for i in (1, 2)],
        vae=_seeded(lambda: _vae(size)),
        text_encoder=_seeded(lambda: _text_encoder(size, tokenizer)),
        tokenizer=tokenizer,
        scheduler=DPMSolverMultistepScheduler(**SD15_SCHEDULE),
        depth_model=_seeded(lambda: _depth_model(size)),
    )


def _seeded(make, offset: int = 0):
    # Each component from its own fixed seed, so adding one never changes the others.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED + offset)
        return make().eval()


def _controlnet(size: str) -> ControlNetModel:
    unet = _UNET[size]
    return ControlNetModel(
        block_out_channels=unet["block_out_channels"],
        down_block_types=unet["down_block_types"],
        layers_per_block=unet["layers_per_block"],
        cross_attention_dim=unet["cross_attention_dim"],
        attention_head_dim=unet["attention_head_dim"],
        norm_num_groups=unet["norm_num_groups"],
        conditioning_embedding_out_channels=_CONTROLNET_EMBEDDING[size],
    )


def _vae(size: str) -> AutoencoderKL:
    blocks = len(_VAE[size]["block_out_channels"])
    return AutoencoderKL(
        down_block_types=("DownEncoderBlock2D",) * blocks,
        up_block_types=("UpDecoderBlock2D",) * blocks,
        latent_channels=4,
        sample_size=512,
        **_VAE[size],
    )


def _text_encoder(size: str, tokenizer: CLIPTokenizer) -> CLIPTextModel:
    end = tokenizer.convert_tokens_to_ids(tokenizer.eos_token)
    config = CLIPTextConfig(
        vocab_size=49408 if size == "sd15" else len(tokenizer),
        max_position_embeddings=77,
        hidden_act="quick_gelu",
        projection_dim=_TEXT[size]["hidden_size"],
        bos_token_id=tokenizer.convert_tokens_to_ids(tokenizer.bos_token),
        eos_token_id=end,
        pad_token_id=end,
        **_TEXT[size],
    )
    return CLIPTextModel(config)


def _depth_model(size: str) -> DepthAnythingForDepthEstimation:
    d = _DEPTH[size]
    backbone = Dinov2Config(
        hidden_size=d["hidden"],
        num_hidden_layers=d["layers"],
        num_attention_heads=d["heads"],
        image_size=518,
        patch_size=14,
        out_indices=[d["layers"] // 4 * i for i in (1, 2, 3, 4)],
        reshape_hidden_states=False,
        apply_layernorm=True,
    )
    config = DepthAnythingConfig(
        backbone_config=backbone,
        reassemble_hidden_size=d["hidden"],
        neck_hidden_sizes=d["neck"],
        fusion_hidden_size=d["fusion"],
        head_hidden_size=d["head"],
    )
    return DepthAnythingForDepthEstimation(config)


def byte_level_clip_tokenizer() -> CLIPTokenizer:
    """A real CLIPTokenizer whose vocabulary is the 256 byte symbols, with no merges.

    CLIP's BPE starts from these same byte symbols, so prompts tokenize the way
    they would with the real vocabulary, one symbol per character. Built in
    memory: nothing to download, nothing to ship.
    """
    symbols = list(_bytes_to_unicode().values())
    vocab = {s: i for i, s in enumerate(symbols)}
    vocab.update({s + "</w>": len(symbols) + i for i, s in enumerate(symbols)})
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return CLIPTokenizer(vocab=vocab, merges=[], model_max_length=77)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible byte → printable character table.

    Printable Latin-1 bytes stand for themselves; the others (control bytes,
    space) are moved to code points from 256 up, so BPE never sees whitespace.
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return dict(sorted(table.items()))
