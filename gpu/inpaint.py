"""The keep-furniture pipeline: diffusers' ControlNet inpaint, without the VAE pass our UNet never uses.

diffusers encodes two images per call: the photo (the latents the kept pieces are blended back from) and the
photo with the repaint area blacked out. The second feeds only a 9-channel inpainting UNet; ours is SD 1.5's
4-channel one, for which diffusers computes those latents and drops them. Skipping it saves a full VAE
encoder pass per call, the price of one more variation's decode.
"""
from __future__ import annotations

import torch
from diffusers import StableDiffusionControlNetInpaintPipeline


class KeepFurnitureInpaintPipeline(StableDiffusionControlNetInpaintPipeline):
    def prepare_mask_latents(self, mask, masked_image, batch_size, height, width, dtype, device, generator,
                             do_classifier_free_guidance):
        if self.unet.config.in_channels == 4:
            # Already "latents" (4 channels), so diffusers passes them through instead of encoding.
            scale = self.vae_scale_factor
            masked_image = torch.zeros(masked_image.shape[0], 4, height // scale, width // scale,
                                       device=device, dtype=dtype)
        return super().prepare_mask_latents(mask, masked_image, batch_size, height, width, dtype, device,
                                            generator, do_classifier_free_guidance)
