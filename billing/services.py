"""Quota, refunds, global guards, plan changes, grants and cost.

The designs app calls:
- `submit_guard(requester)` before reading an upload: request rate limits per client network and per user
  (429 "rate_limited"), the global designs per minute/hour (503 "capacity_exceeded") and the daily GPU budget
  (503 "budget_exhausted"). Raises core.errors.ApiError, always with Retry-After.
- `plan_limits(requester) -> PlanLimits` for max variations / resolution / queue priority at submit.
- `quota_reserve(design=..., units=..., limits=...)` inside the transaction that creates the design, after its
  INSERT, with the PlanLimits read at submit; raises ApiError 429 "quota_exceeded" with the quota block and
  Retry-After.
- `quota_refund(design=..., reason=...)` when the caller, who knows why the design ended, decided it gets its
  quota back (designs.worker: failed before a result; designs.services: cancelled or deleted before it started;
  designs.remedies: staff). Billing does not judge the reason: it refunds at most once per design, whatever
  races. Returns whether it did.
- `layout_refund(design=..., variations=[...])` inside the transaction that stores a completed design's results:
  one unit back per variation whose layout stayed below the threshold after the retry (designs/layout.py);
  at most once per design, by the same ledger guard as quota_refund. Returns the units given back.
- `cost_record(design=..., attempt=..., gpu_seconds=..., gpu_type=..., completed=..., backend=..., worker=...)
  -> float` when an attempt at a design ends, with a result or without: its dollars.
Reads for /api/v1/me/ (`quota_status`, `plan_summary`) live in billing/selectors.py.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from rest_framework import status

from billing import conf, metrics
from billing.models import DailyUsage, GpuCharge, Plan, Subscription, UsageEntry
from billing.selectors import gpu_spend, plan_for_subject, quota_block
from billing.subjects import (
    Subject,
    seconds_until_reset,
    subject_for_design,
    subject_for_requester,
    utc_today,
)
from core.clients import network_key
from core.errors import ApiError
from core.ratelimit import enforce_rate_limit
from designs.models import HOLDS_CAPACITY, Design

log = logging.getLogger(__name__)

RESERVE, REFUND, GRANT = UsageEntry.Kind.RESERVE, UsageEntry.Kind.REFUND, UsageEntry.Kind.GRANT


@dataclass(frozen=True)
class PlanLimits:
    code: str
    daily_limit: int
    max_variations: int = 4
    max_resolution: int = 1024
    priority: int = 0  # 0–9, higher runs sooner
    quick_drafts: bool = True  # the few-step quick mode (gpu/fast.py) is allowed


# --- At submit -------------------------------------------------------------------------------------------------


def submit_guard(requester) -> None:
    """Everything that can refuse a design before its upload is read, cheapest first. A refusal is counted by
    the requester's plan (read only then: the accepted submit reads it next anyway)."""
    try:
        _rate_limit(requester)
        _global_limits()
        _budget_guard()
    except ApiError as error:
        plan = plan_for_subject(subject=subject_for_requester(requester))
        metrics.submit_denied(code=error.error_code, plan=plan.code)
        raise


def _rate_limit(requester) -> None:
    rate = settings.RATELIMIT_SUBMIT
    # enforce_rate_limit reads the request only through its key function; we hand it the key itself.
    network = requester.network if requester.ip else ""
    enforce_rate_limit(None, group="submit:ip", key=network, rate=rate)
    if requester.user is not None:
        enforce_rate_limit(None, group="submit:user", key=str(requester.user.pk), rate=rate)


def _global_limits() -> None:
    """Designs holding capacity across everyone (designs.models.HOLDS_CAPACITY): accepted in the window and not
    given back before they started. A design cancelled while queued frees its share at once, so one user's
    submit-and-cancel loop cannot fill the caps for everyone else; one that started (or finished) keeps it.
    Race-tolerant by design: a burst of concurrent submits can pass the count together, which is fine for a
    capacity guard (the quota itself is exact). Nothing is added or subtracted: the count is read from the
    designs' own state, so a cancel racing a worker's claim can neither free a share twice nor keep one."""
    now = timezone.now()
    minute, hour = timedelta(minutes=1), timedelta(hours=1)
    counts = _holding_capacity(since=now - hour).aggregate(
        hour=Count("pk"), minute=Count("pk", filter=Q(created_at__gt=now - minute))
    )
    for window, count, limit in ((minute, counts["minute"], settings.GLOBAL_DESIGNS_PER_MINUTE),
                                 (hour, counts["hour"], settings.GLOBAL_DESIGNS_PER_HOUR)):
        if limit > 0 and count >= limit:
            retry_after = _window_retry_after(now=now, window=window, excess=count - limit)
            raise ApiError(
                "capacity_exceeded",
                f"Restyle is very busy right now. Please try again in {_in_words(retry_after)}.",
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(retry_after)},
            )


def _holding_capacity(*, since):
    # The same condition as the partial index design_holds_capacity, so the count reads only that index.
    return Design.objects.filter(HOLDS_CAPACITY, created_at__gt=since).order_by()


def _window_retry_after(*, now, window: timedelta, excess: int) -> int:
    """Seconds until enough of the window's designs age out for the count to drop below the limit."""
    times = _holding_capacity(since=now - window).order_by("created_at").values_list("created_at", flat=True)
    frees_at = times[excess] + window
    return max(1, math.ceil((frees_at - now).total_seconds()))


def _budget_guard() -> None:
    budget = conf.daily_budget_usd()
    if budget and gpu_spend(day=utc_today()) >= budget:
        retry_after = seconds_until_reset()
        raise ApiError(
            "budget_exhausted",
            "Today's GPU budget is used up, so new designs are paused until midnight UTC "
            f"(in {_in_words(retry_after)}). Designs already accepted still finish.",
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(retry_after)},
        )


def plan_limits(requester) -> PlanLimits:
    return _limits_for(subject_for_requester(requester))


def _limits_for(subject: Subject) -> PlanLimits:
    plan = plan_for_subject(subject=subject)
    return PlanLimits(code=plan.code, daily_limit=plan.daily_limit, max_variations=plan.max_variations,
                      max_resolution=plan.max_resolution, priority=plan.queue_priority,
                      quick_drafts=plan.quick_drafts)


# --- The daily quota -------------------------------------------------------------------------------------------


def quota_reserve(*, design, units: int, limits: PlanLimits | None = None) -> None:
    """Take `units` from today's quota of the design's owner (or guest network), or raise 429.

    `limits` are the ones the submit already read for the same requester (saves reading the plan twice).
    Race-free: the counter row's conditional UPDATE re-checks the limit against the latest committed value,
    and holds the row until the caller's transaction ends, so concurrent submits queue up on it.
    """
    if units < 1:
        raise ValueError("a design reserves at least one unit")
    subject = subject_for_design(design)
    limits = limits or _limits_for(subject)
    day = utc_today()
    # No savepoint: a failure here must roll back the caller's whole transaction (the design's INSERT) anyway.
    with transaction.atomic(savepoint=False):
        reserved = _daily_take(subject=subject, day=day, units=units, daily_limit=limits.daily_limit)
        if not reserved:  # the day's first design has no counter row yet (or the quota is used up)
            _daily_row_ensure(subject=subject, day=day)
            reserved = _daily_take(subject=subject, day=day, units=units, daily_limit=limits.daily_limit)
        if not reserved:
            metrics.submit_denied(code="quota_exceeded", plan=limits.code)
            raise _quota_exceeded(subject=subject, daily_limit=limits.daily_limit, day=day, units=units)
        UsageEntry.objects.create(kind=RESERVE, **subject.fields(), design=design, units=units, day=day,
                                  plan_code=limits.code)


def _daily_take(*, subject: Subject, day, units: int, daily_limit: int) -> bool:
    return bool(DailyUsage.objects.filter(
        **subject.lookup(), day=day, used__lte=F("granted") + (daily_limit - units)
    ).update(used=F("used") + units))


def _daily_row_ensure(*, subject: Subject, day) -> None:
    # INSERT ... ON CONFLICT DO NOTHING: no error and no savepoint when a concurrent request made the row.
    DailyUsage.objects.bulk_create([DailyUsage(**subject.fields(), day=day)], ignore_conflicts=True)


def _quota_exceeded(*, subject: Subject, daily_limit: int, day, units: int) -> ApiError:
    quota = quota_block(subject=subject, daily_limit=daily_limit, day=day)
    retry_after = seconds_until_reset()
    if quota["remaining"]:
        message = (f"This design needs {units} images but only {quota['remaining']} of today's {quota['limit']} "
                   "are left. Ask for fewer variations, or wait for the reset at midnight UTC.")
    else:
        message = (f"You have used all {quota['limit']} designs of today's quota. It resets at midnight UTC "
                   f"(in {_in_words(retry_after)}).")
    if subject.user is None:
        message += " Sign up for a free account to get more."
    return ApiError("quota_exceeded", message, status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(retry_after)}, extra={"quota": quota})


def quota_refund(*, design, reason: str) -> bool:
    """Give back a design's reservation, on the day it was made, at most once.

    Whether the design deserves it is the caller's decision (it knows why the design ended); this only
    guarantees exactly-once, from the ledger's unique (design, kind=refund): a racing second refund cannot insert
    its entry and rolls back."""
    try:
        with transaction.atomic():
            reserve = UsageEntry.objects.filter(design=design, kind=RESERVE).first()
            if reserve is None:
                return False
            UsageEntry.objects.create(kind=REFUND, user_id=reserve.user_id, guest_ip=reserve.guest_ip, design=design,
                                      units=reserve.units, day=reserve.day, plan_code=reserve.plan_code,
                                      note=reason[:200])
            DailyUsage.objects.filter(user_id=reserve.user_id, guest_ip=reserve.guest_ip, day=reserve.day).update(
                used=F("used") - reserve.units
            )
    except IntegrityError:
        log.info("design %s: quota already refunded", design.pk)
        return False
    log.info("design %s: refunded %s unit(s) (%s)", design.pk, reserve.units, reason)
    return True


def layout_refund(*, design, variations: list[int]) -> int:
    """Give back one unit per variation (0-based indices) delivered with its layout lost, at most once.

    No caller refunds a completed design through quota_refund, so its one refund entry (the ledger's unique
    (design, kind=refund)) is free for this: a retried write, a redelivered message or a second worker cannot
    add another. Never more than the design reserved."""
    if not variations:
        return 0
    try:
        with transaction.atomic():
            reserve = UsageEntry.objects.filter(design=design, kind=RESERVE).first()
            if reserve is None:
                return 0
            units = min(len(set(variations)), reserve.units)
            numbers = ", ".join(str(i + 1) for i in sorted(set(variations)))
            UsageEntry.objects.create(kind=REFUND, user_id=reserve.user_id, guest_ip=reserve.guest_ip, design=design,
                                      units=units, day=reserve.day, plan_code=reserve.plan_code,
                                      note=f"layout not kept: variation {numbers}"[:200])
            DailyUsage.objects.filter(user_id=reserve.user_id, guest_ip=reserve.guest_ip, day=reserve.day).update(
                used=F("used") - units
            )
    except IntegrityError:
        log.info("design %s: layout refund already given", design.pk)
        return 0
    log.info("design %s: refunded %s unit(s) for lost layouts", design.pk, units)
    return units


def quota_grant(*, units: int, user=None, guest_ip: str = "", granted_by=None, note: str = "") -> UsageEntry:
    """Extra designs for today only: raises today's `granted` and records who gave them and why."""
    if units < 1:
        raise ValueError("a grant is at least one unit")
    subject = Subject(user=user) if user is not None else Subject(user=None, guest_ip=network_key(guest_ip))
    plan = plan_for_subject(subject=subject)
    day = utc_today()
    with transaction.atomic():
        _daily_row_ensure(subject=subject, day=day)
        DailyUsage.objects.filter(**subject.lookup(), day=day).update(granted=F("granted") + units)
        return UsageEntry.objects.create(kind=GRANT, **subject.fields(), units=units, day=day, plan_code=plan.code,
                                         note=note[:200], created_by=granted_by)


# --- Plans -----------------------------------------------------------------------------------------------------


def subscription_change(*, user, plan: Plan, changed_by=None, note: str = "",
                        stripe_subscription_id: str | None = None) -> Subscription:
    """Move a user to `plan` from now on, keeping the history. Today's usage carries over: the next
    reservation is checked against the new plan's limit.

    Stripe's sync (billing/stripe_sync.py) passes the Stripe subscription that pays for the plan ("" for none):
    then the same plan paid by another subscription, or no longer paid, is a change too."""
    with transaction.atomic():
        # Lock the user so that two concurrent changes end one subscription each, not the same one twice.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        current = Subscription.objects.filter(user=user, ended_at__isnull=True).first()
        if current is not None and current.plan_id == plan.pk and stripe_subscription_id in (
                None, current.stripe_subscription_id):
            return current
        now = timezone.now()
        if current is not None:
            current.ended_at = now
            current.save(update_fields=["ended_at"])
        return Subscription.objects.create(user=user, plan=plan, started_at=now, changed_by=changed_by,
                                           note=note[:200], stripe_subscription_id=stripe_subscription_id or "")


# --- Cost ------------------------------------------------------------------------------------------------------


def cost_record(*, design, attempt: int, gpu_seconds: float, gpu_type: str, completed: bool = True,
                backend: str = "", worker: str = "") -> float:
    """Price an attempt's GPU time and keep it where the budget and the report can sum it. Each attempt is
    charged once: recording the same attempt again replaces its charge rather than adding to it, except that a
    charge for a result is never replaced by one without (an error raised after the result was recorded)."""
    return attempt_charge({"design": design}, design, attempt=attempt, gpu_seconds=gpu_seconds, gpu_type=gpu_type,
                          completed=completed, backend=backend, worker=worker)


def attempt_charge(job: dict, design, *, attempt: int, gpu_seconds: float, gpu_type: str, completed: bool,
                   backend: str, worker: str) -> float:
    """cost_record for any GPU job: `job` names it ({"design": d} or {"upscale": u}); `design` is whose owner
    pays. The GPU metrics move by the change in the attempt's charge, so every job is counted once."""
    if not completed and GpuCharge.objects.filter(**job, attempt=attempt, completed=True).exists():
        return 0.0
    charge = priced_charge(gpu_seconds=gpu_seconds, gpu_type=gpu_type, completed=completed, backend=backend,
                           worker=worker)
    seconds, cost = charge["gpu_seconds"], charge["cost_usd"]
    reserve = UsageEntry.objects.filter(**job, kind=RESERVE).values_list("plan_code", flat=True).first()
    before = GpuCharge.objects.filter(**job, attempt=attempt).values_list("gpu_seconds", "cost_usd").first()
    before_seconds, before_cost = before or (Decimal(0), Decimal(0))
    metrics.gpu_charged(engine=backend, seconds=float(seconds - before_seconds), cost=float(cost - before_cost))
    GpuCharge.objects.update_or_create(
        **job, attempt=attempt, defaults=charge,
        create_defaults={**charge, **subject_for_design(design).fields(), "plan_code": reserve or "",
                         "day": utc_today()},
    )
    return float(cost)


def priced_charge(*, gpu_seconds: float, gpu_type: str, completed: bool, backend: str, worker: str) -> dict:
    """A GpuCharge's fields for one attempt's GPU time at its GPU type's price (a design's or an upscale's)."""
    seconds = Decimal(str(gpu_seconds if math.isfinite(gpu_seconds) else 0)).quantize(Decimal("0.001"))
    seconds = max(seconds, Decimal(0))
    price = _price_per_second(gpu_type)
    cost = (seconds * price).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return {"gpu_type": gpu_type, "gpu_seconds": seconds, "price_per_second": price, "cost_usd": cost,
            "completed": completed, "backend": backend[:32], "worker": worker[:128]}


def _price_per_second(gpu_type: str) -> Decimal:
    prices = conf.gpu_prices()
    price = prices.get((gpu_type or "").strip().upper())
    if price is None:
        # Better to overcount against the budget than to let an unpriced GPU run for free.
        log.warning("no price for GPU type %r in GPU_PRICES_USD_PER_SECOND: charging the highest", gpu_type)
        price = max(prices.values(), default=Decimal(0))
    return price


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
