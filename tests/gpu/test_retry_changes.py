"""A retry changes what failed: lost layout -> less noise and more depth guidance; unchanged -> more noise."""
from __future__ import annotations

import pytest

from gpu import pipeline, quality, schedule
from tests.gpu.support import make_request, pipe_spy, run_to_end


@pytest.fixture
def spy(monkeypatch):
    return pipe_spy(monkeypatch, "img2img")


def _start(spy, call: dict) -> float:
    return schedule.start_sigma(spy.pipe.scheduler, call["num_inference_steps"], call["strength"])[0]


def test_it_redoes_a_lost_layout_from_less_noise_with_more_depth_guidance(spy, monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "1.01")  # every output counts as a lost layout

    result = run_to_end(make_request(creativity=0.5))[-1].result

    first, retry = spy.calls
    assert result.quality["retry_reasons"] == {"0": "layout"}
    assert _start(spy, retry) < 0.8 * _start(spy, first)
    assert first["controlnet_conditioning_scale"][0] < retry["controlnet_conditioning_scale"][0]
    assert retry["controlnet_conditioning_scale"][0] == pipeline.RETRY_DEPTH_SCALE
    assert first["controlnet_conditioning_scale"][1:] == retry["controlnet_conditioning_scale"][1:]


def test_it_redoes_an_unchanged_output_from_more_noise(spy, monkeypatch):
    monkeypatch.setattr(quality, "UNCHANGED_BELOW", 1000.0)  # every output counts as the photo itself

    result = run_to_end(make_request(creativity=0.5))[-1].result

    first, retry = spy.calls
    assert result.quality["retry_reasons"] == {"0": "unchanged"}
    assert result.quality["first_attempt"]["0"]["flags"] == ["unchanged"]
    assert _start(spy, retry) > 1.2 * _start(spy, first)
    assert retry["controlnet_conditioning_scale"] == first["controlnet_conditioning_scale"]
