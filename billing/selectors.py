"""Reads: which plan applies, how much quota is left, what the GPU cost today."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from billing.models import BUILTIN_PLANS, DailyUsage, GpuCharge, Plan, Subscription
from billing.subjects import Subject, next_reset, subject_for_requester, utc_today


def plan_get(*, code: str) -> Plan:
    """A plan by code. A missing built-in plan is recreated with its defaults rather than failing every
    submit: the data migration's rows vanish when a test database is flushed, or after a manual DELETE."""
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        plan, _created = Plan.objects.get_or_create(code=code, defaults=BUILTIN_PLANS[code])
    return plan


def plan_for_user(*, user) -> Plan:
    """The open subscription's plan; without one, staff are on "staff", accounts whose address is not confirmed
    on "guest" (accounts/verification.py) and everyone else on "free"."""
    subscription = Subscription.objects.filter(user=user, ended_at__isnull=True).select_related("plan").first()
    if subscription is not None:
        return subscription.plan
    if not user.email_verified:  # a sign-up that has not confirmed its address yet: a guest's allowance
        return plan_get(code="guest")
    return plan_get(code="staff" if user.is_staff else "free")


def plan_for_subject(*, subject: Subject) -> Plan:
    if subject.user is None:
        return plan_get(code="guest")
    return plan_for_user(user=subject.user)


def plan_summary(*, requester) -> dict:
    """The plan block of /api/v1/me/."""
    plan = plan_for_subject(subject=subject_for_requester(requester))
    return {
        "code": plan.code,
        "name": plan.name,
        "daily_limit": plan.daily_limit,
        "max_variations": plan.max_variations,
        "max_resolution": plan.max_resolution,
        "priority": plan.queue_priority,
        "quick_drafts": plan.quick_drafts,
    }


def quota_status(*, requester) -> dict:
    """The quota block of /api/v1/me/: {limit, used, remaining, resets_at} for today (UTC)."""
    subject = subject_for_requester(requester)
    return quota_block(subject=subject, daily_limit=plan_for_subject(subject=subject).daily_limit, day=utc_today())


def quota_block(*, subject: Subject, daily_limit: int, day: date) -> dict:
    """Today's limit is the plan's plus whatever staff granted for the day."""
    row = DailyUsage.objects.filter(**subject.lookup(), day=day).values("used", "granted").first()
    used, granted = (row["used"], row["granted"]) if row else (0, 0)
    limit = daily_limit + granted
    return {
        "limit": limit,
        "used": used,
        "remaining": max(0, limit - used),
        "resets_at": next_reset().isoformat().replace("+00:00", "Z"),
    }


def gpu_spend(*, day: date) -> Decimal:
    """Dollars of GPU time recorded for designs that finished on this UTC day."""
    return GpuCharge.objects.filter(day=day).aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)


def plan_context(requester) -> dict:
    """What the pages show of the requester's plan: its summary and today's quota."""
    return {"plan": plan_summary(requester=requester), "quota": quota_status(requester=requester)}
