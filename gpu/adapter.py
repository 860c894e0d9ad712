"""The image-prompt adapter: a design takes the look of a reference photo (IP-Adapter for SD 1.5).

diffusers' own IP-Adapter support does the work: `load_ip_adapter` puts the adapter's projection and its
cross-attention layers into the UNet, `encode_image` runs the CLIP image encoder, and every denoising call
gets the embeds through `ip_adapter_image_embeds`. The reference is encoded once per request; the same
embeds go to every call of that request (all variations in one batch, the retry, quick mode, inpainting).

Once loaded, the UNet wants image embeds on every call, so a design without a reference runs with the
adapter's scale at 0: diffusers' IP attention then skips the adapter branch and the text attention is the
same computation as before, i.e. the result is the one it was without the adapter (tests/gpu prove it).
The scale is set under the models' lock right before each call (the UNets are shared by all requests).

Profiles: `sd15` loads the pinned h94/IP-Adapter files (gpu.weights.IP_ADAPTER); `tiny` and `sd15-random`
get a CLIPVisionModelWithProjection built from a config in code and random adapter weights of the matching
shapes, loaded through the same `load_ip_adapter` call.
"""
from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image
from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModelWithProjection

# How strongly the reference's look is carried over. IP-Adapter's authors use 1.0 for image variations and
# around 0.5 for "image + text"; here the text (style catalogue + the person's wish) and the two ControlNets
# must still hold the room, so a little above the middle: the palette and materials come across, the
# reference's own furniture and layout do not.
STYLE_REFERENCE_SCALE = 0.6
REFERENCE_LONG_SIDE = 512  # the reference is decoded like the photo; CLIP sees 224 px, so more is wasted work
WEIGHT_NAME = "ip-adapter_sd15.safetensors"
SUBFOLDER = "models"
ENCODER_SUBFOLDER = "models/image_encoder"
TOKENS = 4  # IP-Adapter (not Plus) turns the image embedding into 4 extra cross-attention tokens

# CLIP ViT-H/14 (the encoder h94/IP-Adapter ships for SD 1.5) for "sd15"; a tiny one for "tiny".
_ENCODER: dict[str, dict] = {
    "tiny": {"hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
             "image_size": 32, "patch_size": 8, "projection_dim": 16},
    "sd15": {"hidden_size": 1280, "intermediate_size": 5120, "num_hidden_layers": 32, "num_attention_heads": 16,
             "image_size": 224, "patch_size": 14, "projection_dim": 1024, "hidden_act": "gelu"},
}


def attach(pipe, image_encoder: CLIPVisionModelWithProjection, weights: str | Path | dict) -> None:
    """Load the adapter into `pipe`'s UNet and register the encoder (and its CLIP preprocessing) on `pipe`.

    `weights`: a folder holding models/ip-adapter_sd15.safetensors (the pinned snapshot), or a state dict
    {"image_proj": ..., "ip_adapter": ...} (the random stand-ins).
    """
    size = image_encoder.config.image_size
    pipe.register_modules(image_encoder=image_encoder.eval(),
                          feature_extractor=CLIPImageProcessor(size=size, crop_size=size))
    source = str(weights) if isinstance(weights, Path) else weights
    pipe.load_ip_adapter(source, subfolder=SUBFOLDER, weight_name=WEIGHT_NAME, image_encoder_folder=None,
                         local_files_only=True)
    pipe.set_ip_adapter_scale(0.0)


def load_encoder(folder: Path, dtype: torch.dtype) -> CLIPVisionModelWithProjection:
    return CLIPVisionModelWithProjection.from_pretrained(folder / ENCODER_SUBFOLDER, dtype=dtype)


def random_encoder(size: str, seed: int) -> CLIPVisionModelWithProjection:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return CLIPVisionModelWithProjection(CLIPVisionConfig(**_ENCODER[size])).eval()


def random_weights(unet, image_encoder: CLIPVisionModelWithProjection, seed: int) -> dict[str, dict]:
    """Adapter weights in h94/IP-Adapter's own layout, random, shaped for `unet` and `image_encoder`."""
    generator = torch.Generator().manual_seed(seed)
    embed_dim, cross_dim = image_encoder.config.projection_dim, unet.config.cross_attention_dim
    # Biases not zero, as in the trained file: a zero embedding (no reference) still makes tokens, so only the
    # scale of 0 keeps the adapter out of a design without a reference.
    image_proj = {
        "proj.weight": torch.randn(cross_dim * TOKENS, embed_dim, generator=generator) / embed_dim**0.5,
        "proj.bias": 0.1 * torch.randn(cross_dim * TOKENS, generator=generator),
        "norm.weight": 1 + 0.1 * torch.randn(cross_dim, generator=generator),
        "norm.bias": 0.1 * torch.randn(cross_dim, generator=generator),
    }
    ip_layers = {}
    # Numbered as diffusers reads them: 1, 3, 5... over the cross-attentions, in the UNet's order.
    cross = [name for name in unet.attn_processors if not name.endswith("attn1.processor")]
    for number, name in zip(range(1, 2 * len(cross), 2), cross, strict=True):
        shape = unet.get_submodule(name.removesuffix(".processor")).to_k.weight.shape
        for key in ("to_k_ip", "to_v_ip"):
            ip_layers[f"{number}.{key}.weight"] = torch.randn(*shape, generator=generator) / cross_dim**0.5
    return {"image_proj": image_proj, "ip_adapter": ip_layers}


def has_adapter(pipe) -> bool:
    return has_adapter_unet(pipe.unet)


@torch.inference_mode()
def encode(pipe, reference: Image.Image) -> torch.Tensor:
    """The reference's CLIP image embedding, (1, 1, D): what every call of the request then reuses."""
    embeds, _ = pipe.encode_image(reference, pipe.image_encoder.device, 1)
    return embeds[None]


def apply(pipe, kwargs: dict, embeds: torch.Tensor | None) -> dict:
    """`kwargs` for one diffusers call with the adapter on (a reference's embeds) or off (scale 0).

    Call it under the models' lock: the scale lives in the UNet's attention processors, shared by every request.
    """
    if not has_adapter(pipe):
        return kwargs
    pipe.set_ip_adapter_scale(STYLE_REFERENCE_SCALE if embeds is not None else 0.0)
    if embeds is None:  # the branch is skipped at scale 0; the UNet still wants an input of the right shape
        embeds = torch.zeros(1, 1, pipe.image_encoder.config.projection_dim)
    embeds = embeds.to(pipe.unet.device, pipe.unet.dtype)
    if kwargs.get("guidance_scale", 1.0) > 1.0:
        # diffusers splits given embeds into [negative, positive]; the negative is a zero embedding, as in
        # its own encode path (so "away from no image" is the direction guidance pushes).
        embeds = torch.cat([torch.zeros_like(embeds), embeds])
    return {**kwargs, "ip_adapter_image_embeds": [embeds]}


def fuse_qkv(unet) -> None:
    """diffusers' fused QKV projections, keeping the adapter's processors on the cross-attentions.

    `fuse_qkv_projections` puts one fused processor on every attention, which would drop the adapter's
    layers; self-attention (where the fusion pays: the image tokens attend to themselves) is fused, and the
    cross-attentions keep their IP-Adapter processors, which read the unfused projections that stay in place.
    """
    adapted = dict(unet.attn_processors) if has_adapter_unet(unet) else {}
    unet.fuse_qkv_projections()
    if adapted:
        fused = unet.attn_processors
        unet.set_attn_processor({name: adapted[name] if name.endswith("attn2.processor") else processor
                                 for name, processor in fused.items()})


def has_adapter_unet(unet) -> bool:
    return getattr(unet.config, "encoder_hid_dim_type", None) == "ip_image_proj"
