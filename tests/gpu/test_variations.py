"""Variations come from one batched diffusers call, each with its own recorded seed."""
from __future__ import annotations

import numpy as np
import pytest

from tests.gpu.support import decode, make_request, run_to_end, tiny_models


class _Spy:
    """Stands in for a diffusers pipeline: records each call's arguments and passes it on."""

    def __init__(self, pipe) -> None:
        self.pipe = pipe
        self.calls: list[dict] = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.pipe(**kwargs)

    def __getattr__(self, name):
        return getattr(self.pipe, name)


@pytest.fixture
def spy(monkeypatch):
    models = tiny_models()
    spy = _Spy(models.pipes["img2img", False])
    monkeypatch.setitem(models.pipes, ("img2img", False), spy)
    return spy


def test_it_generates_all_variations_in_one_batched_call_with_distinct_seeds(spy):
    result = run_to_end(make_request(variations=3, seed=100))[-1].result

    first = spy.calls[0]
    assert first["num_images_per_prompt"] == 3
    assert len(first["generator"]) == 3
    assert len(result.variations) == 3
    seeds = [v.seed for v in result.variations]
    assert len(set(seeds)) == 3
    # A retry (random weights always lose the layout) is one more batched call, for the retried ones only.
    assert len(spy.calls) == 1 + bool(result.quality["retried"])
    if result.quality["retried"]:
        assert spy.calls[1]["num_images_per_prompt"] == len(result.quality["retried_variations"])


def test_it_records_seeds_that_reproduce_each_variation():
    first = run_to_end(make_request(seed=5))[-1].result
    again = run_to_end(make_request(seed=5))[-1].result
    other = run_to_end(make_request(seed=6))[-1].result

    assert [v.seed for v in first.variations] == [v.seed for v in again.variations]
    pixels = [np.asarray(decode(v.image)) for v in (first.variations[0], again.variations[0], other.variations[0])]
    assert np.array_equal(pixels[0], pixels[1])
    assert not np.array_equal(pixels[0], pixels[2])


def test_it_reports_quality_per_variation_and_the_retry():
    result = run_to_end(make_request(variations=2))[-1].result

    report = result.quality
    assert len(report["scores"]) == 2 and len(report["variations"]) == 2
    assert [v.quality_score for v in result.variations] == report["scores"]
    assert report["threshold"] > 0
    assert report["retried"] == bool(report["retried_variations"])
    for index in report["retried_variations"]:
        assert report["first_attempt"][str(index)]["seed"] != result.variations[index].seed or \
            report["first_attempt"][str(index)]["score"] >= result.variations[index].quality_score
