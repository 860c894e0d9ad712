"""The layout guarantee (issue 19 item 4): every result says whether the room's layout was kept.

The pipeline scores each variation's layout (gpu/quality.py, calibrated by gpu/calibration.py) and redoes one
below the threshold once with a firmer hold on the structure (gpu/pipeline.py). What still falls short is
delivered marked `kept: false`, and its image is given back to the day's quota (billing.services.layout_refund)
in the same transaction that stores the results, so it happens once however often the design is retried or
its message redelivered.
"""
from __future__ import annotations

import os

KEPT = "The room's layout is kept: walls, windows and doors are where they were."
NOT_KEPT = ("The room's layout may have changed: check the walls, windows and doors. We redid this image once "
            "with a firmer hold on the room and it still fell short, so it was not counted against your quota.")
NOT_MEASURED = "The layout of this image was not measured."


def threshold_for(quality: dict) -> float:
    """The threshold the run was judged by: the pipeline's own (it says which it used), else the current one."""
    value = (quality or {}).get("threshold")
    if value is not None:
        return float(value)
    # An engine that scored its output without our pipeline (replicate): the pipeline's rule, without loading
    # torch (gpu.pipeline.retry_threshold). Only the worker gets here, and only when gpu/quality.py could run.
    override = os.environ.get("QUALITY_RETRY_BELOW", "").strip()
    if override:
        return float(override)
    from gpu.quality import RETRY_BELOW

    return RETRY_BELOW


RANDOM_WEIGHTS = ("tiny", "sd15-random", "random")  # model versions of the test and benchmark profiles


def random_weights(models: dict | None) -> bool:
    """Whether the models that made a result had random weights (DESIGN.md §6): not a real design."""
    return any(version in RANDOM_WEIGHTS for version in (models or {}).values())


def verdicts(scores: list[float], quality: dict, models: dict | None = None) -> list[bool | None]:
    """Per variation: True kept, False below the threshold, None not measured (an engine that could not
    score its output says `measured: false`). Random weights' scores mean nothing, so they get no verdict
    (and refund nothing) unless QUALITY_RETRY_BELOW sets the threshold on purpose, as the tests do."""
    if (quality or {}).get("measured") is False:
        return [None] * len(scores)
    if random_weights(models) and not os.environ.get("QUALITY_RETRY_BELOW", "").strip():
        return [None] * len(scores)
    threshold = threshold_for(quality)
    return [score >= threshold for score in scores]


def layout_block(score: float, kept: bool | None) -> dict:
    """The `layout` object of one result in the API and on the page."""
    meaning = NOT_MEASURED if kept is None else (KEPT if kept else NOT_KEPT)
    return {"score": score, "kept": kept, "refunded": kept is False, "meaning": meaning}
