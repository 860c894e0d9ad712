"""Creativity sets the noise level denoising starts from: monotonic, and the same for every scheduler."""
from __future__ import annotations

import math

import numpy as np
import pytest
from diffusers import (
    DDIMScheduler,
    DPMSolverMultistepScheduler,
    EulerDiscreteScheduler,
    LCMScheduler,
    TCDScheduler,
    UniPCMultistepScheduler,
)

from gpu import schedule
from gpu.architectures import SD15_SCHEDULE
from tests.gpu.support import PipeSpy, make_request, run_to_end, tiny_models

CREATIVITY = np.linspace(0, 1, 11)


def _schedulers() -> dict[str, object]:
    base = DPMSolverMultistepScheduler(**SD15_SCHEDULE).config
    return {
        "dpm++ karras": DPMSolverMultistepScheduler.from_config(base, use_karras_sigmas=True),
        "unipc": UniPCMultistepScheduler.from_config(base),
        "euler": EulerDiscreteScheduler.from_config(base),
        "ddim": DDIMScheduler.from_config(base),
        "lcm": LCMScheduler.from_config(base),
        "tcd": TCDScheduler.from_config(base),
    }


SCHEDULERS = _schedulers()


def _assert_monotonic(scheduler, steps: int) -> None:
    plans = [schedule.plan(scheduler, float(c), steps) for c in CREATIVITY]
    # Measured again through diffusers' own truncation and add_noise, not taken from the plan.
    sigmas = [schedule.start_sigma(scheduler, p.num_inference_steps, p.strength)[0] for p in plans]

    assert all(later >= earlier for earlier, later in zip(sigmas, sigmas[1:], strict=False)), sigmas
    assert sigmas[-1] > 3 * sigmas[0]
    assert [p.steps for p in plans] == [steps] * len(plans)  # the requested steps run, whatever the noise


@pytest.mark.parametrize("name", SCHEDULERS)
@pytest.mark.parametrize("steps", [4, 20])
def test_it_starts_from_more_noise_the_more_creative(name, steps):
    _assert_monotonic(SCHEDULERS[name], steps)


def test_it_starts_from_more_noise_the_more_creative_with_every_scheduler_the_product_loads():
    """Whatever the loaded pipelines use, so a scheduler added to gpu.loading is covered too."""
    pipes = tiny_models().pipes
    assert len(pipes) >= 2
    for pipe in pipes.values():
        for steps in (4, 20):
            _assert_monotonic(pipe.scheduler, steps)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_it_starts_near_the_noise_creativity_asks_for(name):
    scheduler = SCHEDULERS[name]
    largest = schedule.start_sigma(scheduler, 20, 1.0)[0]

    for creativity in CREATIVITY:
        plan = schedule.plan(scheduler, float(creativity), 20)
        reachable = min(plan.target_sigma, largest)
        assert abs(math.log(plan.start_sigma / reachable)) < 0.25, (creativity, plan)
    # The ends: a visible restyle at 0 (not a near-copy), nearly fresh noise at 1.
    assert 1.0 < schedule.plan(scheduler, 0.0, 20).start_sigma < 2.0
    assert schedule.plan(scheduler, 1.0, 20).start_sigma > 0.7 * min(10.0, largest)




def test_it_runs_the_pipeline_from_the_planned_noise(monkeypatch):
    models = tiny_models()
    pipe = models.pipes["img2img", False]
    starts = []
    for creativity in (0.0, 1.0):
        spy = PipeSpy(pipe)
        monkeypatch.setitem(models.pipes, ("img2img", False), spy)

        run_to_end(make_request(creativity=creativity, steps=6))

        first = spy.calls[0]  # later calls are retries, from less noise on purpose
        sigma, run = schedule.start_sigma(pipe.scheduler, first["num_inference_steps"], first["strength"])
        expected = schedule.plan(pipe.scheduler, creativity, 6)
        assert (first["num_inference_steps"], first["strength"]) == (expected.num_inference_steps, expected.strength)
        assert run == 6
        starts.append(sigma)
    assert 1.0 < starts[0] < 2.0 and starts[1] > 5 * starts[0]
