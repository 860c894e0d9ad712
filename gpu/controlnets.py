"""Both ControlNets behind diffusers' MultiControlNetModel interface, doing less work than it does.

- A net whose scale is 0 is not run. diffusers still calls every ControlNet after its
  `control_guidance_end` with scale 0 and adds zeros; skipping it saves a whole ControlNet pass per
  step for the rest of the schedule, and when both are done the UNet runs without residuals.
- The scale is applied here, outside the net: a compiled ControlNet is then always called with
  conditioning_scale=1.0, so a new scale (or a net switching off) never forces a recompile.
- `cond_only`: run the nets on the conditional half of a classifier-free-guidance batch and give
  the unconditional half no control (zeros), which halves ControlNet work. Off by default: the
  benchmark measures it (`python -m gpu.bench --cond-only`) before anyone turns it on.
"""
from __future__ import annotations

import os

import torch
from diffusers.models.controlnets.multicontrolnet import MultiControlNetModel


def cond_only_default() -> bool:
    return os.environ.get("RESTYLE_CONTROLNET_COND_ONLY", "").strip().lower() in ("1", "true", "yes", "on")


class RestyleControlNets(MultiControlNetModel):
    def __init__(self, controlnets, *, cond_only: bool = False) -> None:
        super().__init__(controlnets)
        self.cond_only = cond_only  # only for pipelines whose batches are [unconditional, conditional]
        self.calls = 0  # net forward passes, for the tests and the benchmark

    def forward(self, sample, timestep, encoder_hidden_states, controlnet_cond, conditioning_scale, class_labels=None,
                timestep_cond=None, attention_mask=None, added_cond_kwargs=None, cross_attention_kwargs=None,
                guess_mode=False, return_dict=True):
        active = [(image, float(scale), net)
                  for image, scale, net in zip(controlnet_cond, conditioning_scale, self.nets, strict=True)
                  if float(scale) != 0.0]
        if not active:
            return None, None  # the UNet runs without ControlNet residuals
        halves = self.cond_only and not guess_mode and sample.shape[0] % 2 == 0
        if halves:
            sample, encoder_hidden_states = sample.chunk(2)[1], encoder_hidden_states.chunk(2)[1]
        down, mid = None, None
        for image, scale, net in active:
            if halves:
                image = image.chunk(2)[1]
            self.calls += 1
            down_samples, mid_sample = net(
                sample=sample, timestep=timestep, encoder_hidden_states=encoder_hidden_states, controlnet_cond=image,
                conditioning_scale=1.0, class_labels=class_labels, timestep_cond=timestep_cond,
                attention_mask=attention_mask, added_cond_kwargs=added_cond_kwargs,
                cross_attention_kwargs=cross_attention_kwargs, guess_mode=guess_mode, return_dict=False,
            )
            if down is None:
                down, mid = [d * scale for d in down_samples], mid_sample * scale
            else:
                down = [total + d * scale for total, d in zip(down, down_samples, strict=True)]
                mid = mid + mid_sample * scale
        if halves:
            down = [torch.cat([torch.zeros_like(d), d]) for d in down]
            mid = torch.cat([torch.zeros_like(mid), mid])
        return down, mid
