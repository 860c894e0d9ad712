"""One request in, a stream of events out: stages in order, progress never back, one final result."""
from __future__ import annotations

import pytest

from gpu.types import STAGES
from tests.gpu.support import decode, make_request, run_to_end


@pytest.fixture(scope="module")
def events():
    return run_to_end(make_request(steps=8))


def test_it_streams_stages_in_order_with_progress_that_never_goes_back(events):
    stages = [event.stage for event in events]
    order = [stage for i, stage in enumerate(stages) if i == 0 or stages[i - 1] != stage]
    assert order == [*STAGES, "completed"]
    progress = [event.progress for event in events]
    assert progress == sorted(progress)
    assert all(0.0 <= p <= 1.0 for p in progress)
    assert events[-1].progress == 1.0
    assert [event.is_final for event in events] == [False] * (len(events) - 1) + [True]
    assert all(event.message for event in events)


def test_it_reports_each_denoising_step_with_small_previews(events):
    steps = [e for e in events if e.stage == "transforming" and e.progress > 0.2]
    assert len(steps) == 8  # the requested steps run, from the noise creativity plans (gpu/schedule.py)
    previews = [e.preview for e in steps if e.preview]
    assert previews
    for preview in previews:
        image = decode(preview)
        assert image.format == "JPEG" and max(image.size) <= 256
        assert len(preview) < 30_000


def test_it_times_every_stage_and_returns_the_maps(events):
    result = events[-1].result

    assert set(STAGES) <= set(result.timings)
    assert result.timings["total"] >= sum(result.timings[stage] for stage in STAGES) * 0.99
    assert {"depth", "edges"} <= set(result.maps)
    assert decode(result.maps["depth"]).format == "PNG"
    assert result.device == "cpu" and result.gpu_seconds == 0.0
    assert set(result.models.values()) == {"tiny"}
