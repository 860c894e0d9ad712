"""Variations come from one batched diffusers call, each with its own recorded seed."""
from __future__ import annotations

import numpy as np
import pytest

from gpu import quality
from tests.gpu.support import decode, make_request, pipe_spy, run_to_end


@pytest.fixture
def spy(monkeypatch):
    return pipe_spy(monkeypatch, "img2img")


def _seeds(call: dict) -> list[int]:
    return [generator.initial_seed() for generator in call["generator"]]


@pytest.fixture
def assessments(monkeypatch):
    """Every quality check the pipeline makes, in order: the first attempt's, then the retry's."""
    made = []

    def assess(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    real = quality.assess
    monkeypatch.setattr(quality, "assess", assess)
    return made


def test_it_generates_all_variations_in_one_batched_call_with_distinct_seeds(spy, monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")  # every sane image passes: no retry
    result = run_to_end(make_request(variations=3, seed=100))[-1].result

    assert len(spy.calls) == 1
    assert spy.calls[0]["num_images_per_prompt"] == 3
    assert _seeds(spy.calls[0]) == [v.seed for v in result.variations]
    assert len({v.seed for v in result.variations}) == 3
    assert result.quality["retried"] is False
    assert result.quality["retried_variations"] == [] and result.quality["first_attempt"] == {}


def test_it_retries_exactly_the_variations_below_the_threshold_with_new_seeds(spy, assessments, monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")
    first = run_to_end(make_request(variations=3, seed=100))[-1].result
    scores = [v.quality_score for v in first.variations]
    threshold = (min(scores) + max(scores)) / 2  # the worst variation is retried, the best is not
    below = [i for i, score in enumerate(scores) if score < threshold]
    spy.calls.clear()
    assessments.clear()

    monkeypatch.setenv("QUALITY_RETRY_BELOW", str(threshold))
    result = run_to_end(make_request(variations=3, seed=100))[-1].result

    report = result.quality
    assert report["threshold"] == threshold
    assert report["retried"] is True and report["retried_variations"] == below
    assert len(spy.calls) == 2  # one batched call for all the retried variations
    original, retry = _seeds(spy.calls[0]), _seeds(spy.calls[1])
    assert original == [v.seed for v in first.variations]
    assert spy.calls[1]["num_images_per_prompt"] == len(below) == len(retry)
    assert not set(retry) & set(original) and len(set(retry)) == len(retry)
    assert sorted(report["first_attempt"]) == [str(i) for i in below]
    before, again = assessments[:3], assessments[3:]
    for i, variation in enumerate(result.variations):
        if i not in below:  # kept as it was
            assert (variation.seed, variation.quality_score) == (original[i], round(before[i].score, 4))
            continue
        tried = again[below.index(i)]
        assert report["first_attempt"][str(i)]["seed"] == original[i]
        assert report["first_attempt"][str(i)]["score"] == round(before[i].score, 4)
        better = tried if tried.score > before[i].score else before[i]  # the better of the two is kept
        seed = retry[below.index(i)] if better is tried else original[i]
        assert (variation.seed, variation.quality_score) == (seed, round(better.score, 4))


def test_it_records_seeds_that_reproduce_each_variation():
    first = run_to_end(make_request(seed=5))[-1].result
    again = run_to_end(make_request(seed=5))[-1].result
    other = run_to_end(make_request(seed=6))[-1].result

    assert [v.seed for v in first.variations] == [v.seed for v in again.variations]
    pixels = [np.asarray(decode(v.image)) for v in (first.variations[0], again.variations[0], other.variations[0])]
    assert np.array_equal(pixels[0], pixels[1])
    assert not np.array_equal(pixels[0], pixels[2])


def test_it_reports_quality_per_variation_and_the_retry(monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "1.01")  # above any score: every variation is retried
    result = run_to_end(make_request(variations=2, seed=40))[-1].result

    report = result.quality
    assert report["threshold"] == 1.01
    assert len(report["scores"]) == 2 and len(report["variations"]) == 2
    assert [v.quality_score for v in result.variations] == report["scores"]
    assert [check["score"] for check in report["variations"]] == report["scores"]
    assert report["retried"] is True and report["retried_variations"] == [0, 1]
    assert [report["first_attempt"][key]["seed"] for key in ("0", "1")] == [40, 41]
    for index, variation in enumerate(result.variations):
        first = report["first_attempt"][str(index)]
        if variation.seed == first["seed"]:  # the retry did no better
            assert variation.quality_score == first["score"]
        else:
            assert variation.quality_score > first["score"]
