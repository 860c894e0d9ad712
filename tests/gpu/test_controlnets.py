"""Both ControlNets behind one wrapper that does less work than diffusers' own (gpu/controlnets.py)."""
from __future__ import annotations

import torch

from gpu.controlnets import RestyleControlNets
from tests.gpu.support import make_request, run_to_end, tiny_models


class _Net(torch.nn.Module):
    """Stands in for a ControlNet: residuals equal to its input, and a record of how it was called."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict] = []

    def forward(self, sample, **kwargs):
        self.calls.append({"batch": sample.shape[0], "scale": kwargs["conditioning_scale"]})
        return [sample.clone(), sample.clone()], sample.clone()


def _call(wrapper, scales, batch=4):
    sample = torch.ones(batch, 4, 8, 8)
    return wrapper(sample, torch.tensor(10), torch.ones(batch, 77, 16), [torch.ones(batch, 3, 64, 64)] * 2, scales)


def test_it_skips_a_net_whose_guidance_has_ended_and_scales_outside_the_net():
    depth, canny = _Net(), _Net()

    down, mid = _call(RestyleControlNets([depth, canny]), [0.5, 0.0])

    assert len(depth.calls) == 1 and not canny.calls
    assert depth.calls[0]["scale"] == 1.0  # the compiled net never sees a scale
    assert torch.allclose(mid, torch.full_like(mid, 0.5)) and all(torch.allclose(d, mid) for d in down)
    assert _call(RestyleControlNets([depth, canny]), [0.0, 0.0]) == (None, None)


def test_it_runs_the_nets_on_the_conditional_half_only_when_asked():
    depth, canny = _Net(), _Net()

    down, mid = _call(RestyleControlNets([depth, canny], cond_only=True), [1.0, 1.0])

    assert [call["batch"] for call in depth.calls + canny.calls] == [2, 2]
    assert mid.shape[0] == 4 and (mid[:2] == 0).all() and (mid[2:] == 2).all()


def test_it_stops_paying_for_the_controlnets_once_their_guidance_ends():
    controlnets = tiny_models().pipe(inpaint=False, fast=False).controlnet
    before = controlnets.calls

    # 3 steps run (gpu/schedule.py): both nets in the first; the depth net alone in the second (canny ended
    # at 0.6); none in the third (depth ended at 0.8).
    result = run_to_end(make_request(steps=3, creativity=1.0))[-1].result

    denoising_calls = 1 + bool(result.quality["retried"])
    assert controlnets.calls - before == 3 * denoising_calls  # diffusers alone would run 6 per call
