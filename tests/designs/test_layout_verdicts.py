"""Which threshold judges a result's layout: the one the pipeline ran with, else the pipeline's own rule (an
engine that scored its output itself, like Replicate); an engine that could not score gives no verdict."""
from __future__ import annotations

from designs.layout import verdicts
from gpu.pipeline import retry_threshold


def test_it_judges_by_the_threshold_the_run_used_else_the_pipelines(monkeypatch):
    assert verdicts([0.5, 0.3], {"threshold": 0.4, "retried": True}) == [True, False]
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0.9")
    assert verdicts([0.95, 0.85], {"measured": True, "engine": "replicate"}) == [True, False]
    monkeypatch.delenv("QUALITY_RETRY_BELOW")
    below, above = retry_threshold() - 0.01, retry_threshold()
    assert verdicts([below, above], {"measured": True, "engine": "replicate"}) == [False, True]


def test_it_gives_no_verdict_when_the_engine_could_not_score():
    assert verdicts([0.0, 0.0], {"measured": False, "engine": "replicate"}) == [None, None]


def test_it_gives_random_weights_no_verdict_unless_a_threshold_is_set_on_purpose(monkeypatch):
    monkeypatch.delenv("QUALITY_RETRY_BELOW", raising=False)
    tiny = {"unet": "tiny", "detector": "tiny"}
    assert verdicts([0.1], {"threshold": 0.6}, tiny) == [None]  # a random model's score means nothing
    assert verdicts([0.1], {"threshold": 0.6}, {"unet": "runwayml/stable-diffusion-v1-5@abc"}) == [False]
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0.6")
    assert verdicts([0.1], {"threshold": 0.6}, tiny) == [False]
