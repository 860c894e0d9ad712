"""What an upscale costs the person and the service (designs/upscales.py calls these).

- `upscale_terms(requester) -> UpscaleTerms`: whether the plan allows upscaling and how many images of the
  daily limit one counts as (Plan.upscales, Plan.upscale_images; staff edit both in the admin).
- `upscale_reserve(upscale=..., terms=...)` inside the transaction that creates the upscale: takes the
  images from today's quota with the same race-free conditional UPDATE as a design (429 when used up).
- `upscale_refund(upscale=..., reason=...)`: gives them back at most once (the ledger's unique
  (upscale, refund)), whatever races: a cancel and a failing worker, two cancels. Whether an upscale is owed
  its images is its caller's decision (one that ended without a file: failed or cancelled).
- `upscale_cost_record(...)`: the attempt's GPU seconds, priced like a design's, summed into the day's budget.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F

from billing.models import DailyUsage, UsageEntry
from billing.selectors import plan_for_subject
from billing.services import REFUND, RESERVE, _daily_row_ensure, _daily_take, _quota_exceeded, attempt_charge
from billing.subjects import Subject, subject_for_design, subject_for_requester, utc_today

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpscaleTerms:
    plan_code: str
    allowed: bool
    units: int  # images of the daily limit one upscale counts as; 0: included
    daily_limit: int


def upscale_terms(requester) -> UpscaleTerms:
    return _terms(subject_for_requester(requester))


def _terms(subject: Subject) -> UpscaleTerms:
    plan = plan_for_subject(subject=subject)
    return UpscaleTerms(plan_code=plan.code, allowed=plan.upscales, units=plan.upscale_images,
                        daily_limit=plan.daily_limit)


def upscale_reserve(*, upscale, terms: UpscaleTerms) -> None:
    """Take the upscale's images from today's quota of the design's owner, or raise 429 (rolls the caller back)."""
    if terms.units < 1:
        return  # included in the plan: nothing to count, nothing to give back
    subject = subject_for_design(upscale.design)
    day = utc_today()
    with transaction.atomic(savepoint=False):
        taken = _daily_take(subject=subject, day=day, units=terms.units, daily_limit=terms.daily_limit)
        if not taken:
            _daily_row_ensure(subject=subject, day=day)
            taken = _daily_take(subject=subject, day=day, units=terms.units, daily_limit=terms.daily_limit)
        if not taken:
            raise _quota_exceeded(subject=subject, daily_limit=terms.daily_limit, day=day, units=terms.units)
        UsageEntry.objects.create(kind=RESERVE, **subject.fields(), upscale=upscale, units=terms.units, day=day,
                                  plan_code=terms.plan_code, note=f"upscale {upscale.factor}x")


def upscale_refund(*, upscale, reason: str) -> bool:
    """Give back the upscale's reservation, on the day it was made, at most once. Returns whether it did."""
    try:
        with transaction.atomic():
            reserve = UsageEntry.objects.filter(upscale=upscale, kind=RESERVE).first()
            if reserve is None:
                return False
            UsageEntry.objects.create(kind=REFUND, user_id=reserve.user_id, guest_ip=reserve.guest_ip,
                                      upscale=upscale, units=reserve.units, day=reserve.day,
                                      plan_code=reserve.plan_code, note=reason[:200])
            DailyUsage.objects.filter(user_id=reserve.user_id, guest_ip=reserve.guest_ip, day=reserve.day).update(
                used=F("used") - reserve.units
            )
    except IntegrityError:
        log.info("upscale %s: quota already refunded", upscale.pk)
        return False
    log.info("upscale %s: refunded %s unit(s) (%s)", upscale.pk, reserve.units, reason)
    return True


def upscale_cost_record(*, upscale, attempt: int, gpu_seconds: float, gpu_type: str, completed: bool = True,
                        backend: str = "", worker: str = "") -> float:
    """Price one attempt's GPU time, once per attempt, as billing.services.cost_record does for designs."""
    return attempt_charge({"upscale": upscale}, upscale.design, attempt=attempt, gpu_seconds=gpu_seconds,
                          gpu_type=gpu_type, completed=completed, backend=backend, worker=worker)
