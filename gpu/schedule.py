"""Creativity as a noise level: what the scheduler actually starts denoising from.

img2img's `strength` is a fraction of the *step list*, not of the noise: diffusers keeps
the last `int(N * strength)` of the N timesteps that `set_timesteps(N)` made. With a
linearly spaced schedule that is roughly the noise the name promises, but Karras sigmas
(our standard DPM-Solver++) crowd the low-noise end, so the same strength starts from far
less noise there and creativity 0 barely repaints the room. So creativity picks a target
noise level, and `plan` searches the (N, strength) pair whose truncated schedule starts
closest to it while running exactly the requested number of denoising steps.

Noise level = sigma in the variance-exploding sense, sqrt(1 - alpha_bar) / sqrt(alpha_bar),
read back from the scheduler's own `add_noise` at the first kept timestep, so it holds for
any scheduler (DPM-Solver, UniPC, Euler, DDIM, LCM, TCD...) and any of their options.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from types import SimpleNamespace

import torch
from diffusers import StableDiffusionControlNetImg2ImgPipeline

# Creativity 0 and 1 as a share of the training schedule (SD 1.5: 1000 timesteps). At 0.45
# (sigma ~1.2) a depth + canny ControlNet restyle visibly repaints walls, floor and fabrics
# while every object stays where it was; at 0.96 (sigma ~10) little but the geometry the
# ControlNets hold survives: new furnishing.
NOISE_AT_ZERO = 0.45
NOISE_AT_ONE = 0.96
MAX_SCHEDULE = 1000  # no scheduler is asked for a longer list
# The search for N stops once the start falls below this share of creativity 0's noise
# (a retry may ask for less than creativity 0 gives: see `plan(noise=...)`).
LOWEST_NOISE = 0.3


@dataclass(frozen=True)
class Plan:
    num_inference_steps: int  # what the pipeline passes to set_timesteps
    strength: float  # img2img truncation of that list
    steps: int  # denoising steps that actually run
    start_sigma: float  # noise level of the first one
    target_sigma: float


def target_sigma(scheduler, creativity: float) -> float:
    """The noise level creativity asks for, from the scheduler's training schedule."""
    creativity = min(max(creativity, 0.0), 1.0)
    alphas = _alphas_cumprod(scheduler)
    share = NOISE_AT_ZERO + (NOISE_AT_ONE - NOISE_AT_ZERO) * creativity
    timestep = min(len(alphas) - 1, max(0, round(share * len(alphas)) - 1))
    alpha = float(alphas[timestep])
    return math.sqrt((1 - alpha) / alpha)


def plan(scheduler, creativity: float, steps: int, *, noise: float = 1.0) -> Plan:
    """The (num_inference_steps, strength) whose truncated schedule starts nearest the creativity's noise level.

    `noise` scales that level (a retry that lost the layout asks for less), and then the start
    is strictly below (or above) the unscaled one wherever the scheduler has such a start, however
    coarse its few-step schedule. Picking the nearest of a fixed set of candidates keeps the
    start monotonic in creativity for every scheduler, whatever the shape of its sigma spacing.
    """
    target = target_sigma(scheduler, creativity)
    floor = target_sigma(scheduler, 0.0) * LOWEST_NOISE
    candidates = _candidates(type(scheduler), _config_key(scheduler), steps, floor)
    chosen = _nearest(candidates, target)
    if noise != 1.0:
        target *= noise
        beyond = [c for c in candidates if (c[3] < chosen[3] if noise < 1.0 else c[3] > chosen[3])]
        chosen = _nearest(beyond or candidates, target)
    n, strength, run, sigma = chosen
    return Plan(num_inference_steps=n, strength=strength, steps=run, start_sigma=sigma, target_sigma=target)


def _nearest(candidates, target: float):
    return min(candidates, key=lambda c: (abs(math.log(c[3] / target)), c[0]))


def start_sigma(scheduler, num_inference_steps: int, strength: float, *, copy: bool = True) -> tuple[float, int]:
    """(noise level, steps that run) of an img2img call, through diffusers' own truncation and add_noise."""
    # Never touch a pipeline's own scheduler: it carries per-call state.
    probe = type(scheduler).from_config(scheduler.config) if copy else scheduler
    probe.set_timesteps(num_inference_steps, device="cpu")
    timesteps, run = StableDiffusionControlNetImg2ImgPipeline.get_timesteps(
        SimpleNamespace(scheduler=probe), num_inference_steps, strength, "cpu"
    )
    first = timesteps[:1].repeat(1)
    one, zero = torch.ones(1, 1, 1, 1), torch.zeros(1, 1, 1, 1)
    signal = float(probe.add_noise(one, zero, first))
    noise = float(probe.add_noise(zero, one, first))
    return noise / max(signal, 1e-12), run


@functools.lru_cache(maxsize=64)
def _candidates(kind: type, config_key: str, steps: int, floor: float) -> tuple[tuple[int, float, int, float], ...]:
    """(N, strength, steps run, start sigma) for N = steps, steps + 1, ... until the start drops below `floor`."""
    probe = kind.from_config(json.loads(config_key))
    found = []
    for n in range(steps, MAX_SCHEDULE + 1):
        # int(n * strength) == steps exactly: exactly `steps` steps run whatever n is.
        strength = min(1.0, (steps + 0.5) / n)
        try:
            sigma, run = start_sigma(probe, n, strength, copy=False)
        except (ValueError, IndexError):  # e.g. LCM refuses more steps than its distillation schedule has
            break
        if math.isfinite(sigma) and sigma > 0:
            found.append((n, strength, run, sigma))
        if sigma < floor:
            break
    if not found:
        raise ValueError(f"{kind.__name__} gives no usable schedule for {steps} steps")
    return tuple(found)


def _config_key(scheduler) -> str:
    return json.dumps(dict(scheduler.config), sort_keys=True, default=str)


def _alphas_cumprod(scheduler) -> torch.Tensor:
    alphas = getattr(scheduler, "alphas_cumprod", None)
    if alphas is None:  # Euler-style schedulers keep only sigmas; rebuild the training schedule from a DDPM twin
        from diffusers import DDPMScheduler

        alphas = DDPMScheduler.from_config(scheduler.config).alphas_cumprod
    return alphas
