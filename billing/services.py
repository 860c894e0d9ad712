"""Quota, refunds, global guards and cost. INTERFACE STUB: the billing work replaces the bodies.

The designs app calls exactly these functions:
- `submit_guard(requester)` before validating an upload: global per-minute/hour limits, the daily GPU
  budget (503), request rate limits per IP and per user (429). Raises config.api.ApiError.
- `plan_limits(requester) -> PlanLimits` for max variations / resolution / priority at submit.
- `quota_reserve(design=..., units=...)` inside the transaction that creates the design; raises
  ApiError 429 "quota_exceeded" with the quota block and Retry-After.
- `quota_refund(design=..., reason=...)` when a design fails before the GPU produced a result or is
  cancelled before it started; refunds at most once per design, whatever races.
- `cost_record(design=..., gpu_seconds=..., gpu_type=...) -> float` when a design finishes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlanLimits:
    code: str
    max_variations: int = 4
    max_resolution: int = 1024
    priority: int = 0


def submit_guard(requester) -> None:
    return None


def plan_limits(requester) -> PlanLimits:
    return PlanLimits(code="free")


def quota_reserve(*, design, units: int) -> None:
    return None


def quota_refund(*, design, reason: str) -> bool:
    return False


def cost_record(*, design, gpu_seconds: float, gpu_type: str) -> float:
    return 0.0
