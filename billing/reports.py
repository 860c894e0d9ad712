"""Selectors for the admin's usage report: usage, cost and outcomes per UTC day, per plan and per user.

Everything is one aggregate query per table. Usage comes from the ledger and cost from GPU charges, both of
which outlive deleted designs; outcomes come from the designs still in the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, Sum
from django.db.models.functions import Extract, TruncDate

from billing.models import GpuCharge, Plan, UsageEntry
from billing.subjects import utc_today
from designs.models import Design, DesignAttempt, DesignResult, Status

RESERVE, REFUND, GRANT = UsageEntry.Kind.RESERVE, UsageEntry.Kind.REFUND, UsageEntry.Kind.GRANT
_NET_UNITS = Sum("units", filter=Q(kind=RESERVE), default=0) - Sum("units", filter=Q(kind=REFUND), default=0)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def last(cls, days: int) -> Period:
        end = utc_today()
        return cls(start=end - timedelta(days=days - 1), end=end)

    def days(self) -> list[date]:
        """Newest first, as the report lists them."""
        return [self.end - timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def datetimes(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, tzinfo=UTC),
                datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC))


def report_days(*, period: Period) -> list[dict]:
    """One row per day: designs and images used, refunds, grants, GPU seconds and dollars, outcomes."""
    usage = _by_day(UsageEntry.objects.filter(day__range=(period.start, period.end)).values("day").annotate(
        designs=Count("pk", filter=Q(kind=RESERVE)),
        images=_NET_UNITS,
        refunded=Sum("units", filter=Q(kind=REFUND), default=0),
        granted=Sum("units", filter=Q(kind=GRANT), default=0),
        users=Count("user", filter=Q(kind=RESERVE), distinct=True),
        guests=Count("guest_ip", filter=Q(kind=RESERVE, user__isnull=True), distinct=True),
    ))
    cost = _by_day(GpuCharge.objects.filter(day__range=(period.start, period.end)).values("day").annotate(
        gpu_seconds=Sum("gpu_seconds"), cost_usd=Sum("cost_usd"),
    ))
    outcomes = _by_day(_design_outcomes(period))
    return [_day_row(day, usage.get(day, {}), cost.get(day, {}), outcomes.get(day, {})) for day in period.days()]


def _design_outcomes(period: Period):
    return (
        Design.objects.filter(created_at__range=period.datetimes())
        .annotate(day=TruncDate("created_at", tzinfo=UTC)).values("day")
        .annotate(completed=Count("pk", filter=Q(status=Status.COMPLETED)),
                  failed=Count("pk", filter=Q(status=Status.FAILED)),
                  cancelled=Count("pk", filter=Q(status=Status.CANCELLED)))
    )


def _by_day(rows) -> dict[date, dict]:
    return {row["day"]: row for row in rows}


def _day_row(day: date, usage: dict, cost: dict, outcomes: dict) -> dict:
    completed, failed = outcomes.get("completed", 0), outcomes.get("failed", 0)
    return {
        "day": day,
        "designs": usage.get("designs", 0),
        "images": usage.get("images", 0),
        "refunded": usage.get("refunded", 0),
        "granted": usage.get("granted", 0),
        "users": usage.get("users", 0),
        "guests": usage.get("guests", 0),
        "gpu_seconds": cost.get("gpu_seconds") or Decimal(0),
        "cost_usd": cost.get("cost_usd") or Decimal(0),
        "completed": completed,
        "failed": failed,
        "cancelled": outcomes.get("cancelled", 0),
        "success_percent": _percent(completed, completed + failed),
    }


def report_plans(*, period: Period) -> tuple[list[str], list[dict]]:
    """Units used and designs submitted per day per plan: the plan codes (columns) and one row per day."""
    rows = (UsageEntry.objects.filter(day__range=(period.start, period.end), kind__in=[RESERVE, REFUND])
            .values("day", "plan_code").annotate(images=_NET_UNITS, designs=Count("pk", filter=Q(kind=RESERVE))))
    found = {(row["day"], row["plan_code"]): row for row in rows}
    codes = list(Plan.objects.values_list("code", flat=True))
    codes += sorted({code for _day, code in found if code not in codes})  # plans deleted since
    table = [{"day": day, **{key: [found.get((day, code), {}).get(key, 0) for code in codes]
                             for key in ("images", "designs")}} for day in period.days()]
    return codes, table


def report_processing_times(*, period: Period) -> dict[date, dict]:
    """The median and 95th percentile of completed designs' processing time (seconds, queue wait excluded)
    per day they were created: {day: {"p50", "p95", "count"}}, days without a completed design left out."""
    completed = (Design.objects.filter(created_at__range=period.datetimes(), status=Status.COMPLETED,
                                       started_at__isnull=False, finished_at__isnull=False)
                 .annotate(day=TruncDate("created_at", tzinfo=UTC)))
    if connection.vendor == "postgresql":
        seconds = Extract(F("finished_at") - F("started_at"), "epoch")
        rows = completed.values("day").annotate(p50=_Percentile(seconds, fraction=0.5),
                                                 p95=_Percentile(seconds, fraction=0.95), count=Count("pk"))
        return {row["day"]: {"p50": float(row["p50"]), "p95": float(row["p95"]), "count": row["count"]}
                for row in rows}
    per_day: dict[date, list[float]] = {}  # SQLite (development) has no percentile: one float per design
    for day, started, finished in completed.values_list("day", "started_at", "finished_at"):
        per_day.setdefault(day, []).append((finished - started).total_seconds())
    return {day: {"p50": _quantile(values, 0.5), "p95": _quantile(values, 0.95), "count": len(values)}
            for day, values in per_day.items()}


class _Percentile(Aggregate):
    """Postgres' continuous percentile (interpolated, as _quantile is)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float) -> None:
        super().__init__(expression, fraction=float(fraction))


def _quantile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def report_top_users(*, period: Period, limit: int = 10) -> list[dict]:
    """The heaviest accounts of the period, with what their designs cost."""
    rows = list(
        UsageEntry.objects.filter(day__range=(period.start, period.end), user__isnull=False)
        .values("user_id", "user__email").annotate(designs=Count("pk", filter=Q(kind=RESERVE)), images=_NET_UNITS)
        .order_by("-images", "user__email")[:limit]
    )
    costs = dict(
        GpuCharge.objects.filter(day__range=(period.start, period.end), user_id__in=[r["user_id"] for r in rows])
        .values("user_id").annotate(total=Sum("cost_usd")).values_list("user_id", "total")
    )
    return [{**row, "cost_usd": costs.get(row["user_id"]) or Decimal(0)} for row in rows]


def report_top_guests(*, period: Period, limit: int = 10) -> list[dict]:
    """The busiest guest networks: where abuse of the free trial shows first."""
    return list(
        UsageEntry.objects.filter(day__range=(period.start, period.end), user__isnull=True)
        .values("guest_ip").annotate(designs=Count("pk", filter=Q(kind=RESERVE)), images=_NET_UNITS)
        .order_by("-images", "guest_ip")[:limit]
    )


def report_totals(day_rows: list[dict]) -> dict:
    keys = ["designs", "images", "refunded", "granted", "gpu_seconds", "cost_usd", "completed", "failed", "cancelled"]
    totals = {key: sum((row[key] for row in day_rows), start=0) for key in keys}
    totals["success_percent"] = _percent(totals["completed"], totals["completed"] + totals["failed"])
    return totals


def _percent(completed: int, ended: int) -> float | None:
    """Success among the designs that ran to an end: a cancellation says nothing about our reliability."""
    return round(100 * completed / ended, 1) if ended else None


def report_engines(*, period: Period) -> list[dict]:
    """Per GPU engine: designs it worked on, attempts, results made, engine faults, success rate and cost.

    Attempts come from the failover's record (DesignAttempt, which keeps attempts that never reached a GPU and
    outlives deleted designs); cost from the GPU charges, each at the price of the engine that ran it. Success
    is results out of attempts that ended in a result or an engine fault: a cancel, a bad photo or a worker's
    hand-back says nothing about the engine.
    """
    attempts = {row["engine"]: row for row in (
        DesignAttempt.objects.filter(started_at__range=period.datetimes()).exclude(engine="").values("engine")
        .annotate(designs=Count("design", distinct=True), attempts=Count("pk"),
                  completed=Count("pk", filter=Q(outcome="completed")), faults=Count("pk", filter=Q(engine_fault=True)))
    )}
    costs = {row["backend"]: row for row in (
        GpuCharge.objects.filter(day__range=(period.start, period.end)).exclude(backend="").values("backend")
        .annotate(gpu_seconds=Sum("gpu_seconds"), cost_usd=Sum("cost_usd"))
    )}
    rows = []
    for engine in sorted(set(attempts) | set(costs)):
        used, paid = attempts.get(engine, {}), costs.get(engine, {})
        completed, faults = used.get("completed", 0), used.get("faults", 0)
        rows.append({
            "engine": engine, "designs": used.get("designs", 0), "attempts": used.get("attempts", 0),
            "completed": completed, "faults": faults, "success_percent": _percent(completed, completed + faults),
            "gpu_seconds": paid.get("gpu_seconds") or Decimal(0), "cost_usd": paid.get("cost_usd") or Decimal(0),
        })
    return sorted(rows, key=lambda row: (-row["attempts"], row["engine"]))


def report_layout(*, period: Period) -> list[dict]:
    """Layout fidelity (designs/layout.py) per UTC day a design finished, per style and engine: results, mean
    layout score, and how many kept the layout among those measured. Newest day first, then most results."""
    rows = (
        DesignResult.objects.filter(design__finished_at__range=period.datetimes())
        .annotate(day=TruncDate("design__finished_at", tzinfo=UTC), style=F("design__style"))
        .values("day", "style", "engine")
        .annotate(results=Count("pk"), mean_score=Avg("quality_score"),
                  measured=Count("pk", filter=Q(layout_kept__isnull=False)),
                  kept=Count("pk", filter=Q(layout_kept=True)))
    )
    table = [{**row, "mean_score": round(row["mean_score"], 3), "lost": row["measured"] - row["kept"],
              "kept_percent": _percent(row["kept"], row["measured"])} for row in rows]
    return sorted(table, key=lambda row: (-row["day"].toordinal(), -row["results"], row["style"], row["engine"]))


def layout_kept_by_engine(rows: list[dict], days: list[date]) -> dict[str, list[float | None]]:
    """{engine: share of measured results that kept the layout, per day of `days`} from report_layout's rows;
    None on a day without a measured result."""
    totals: dict[tuple[str, date], list[int]] = {}
    for row in rows:
        kept, measured = totals.setdefault((row["engine"] or "unknown", row["day"]), [0, 0])
        totals[(row["engine"] or "unknown", row["day"])] = [kept + row["kept"], measured + row["measured"]]
    engines = sorted({engine for engine, _day in totals})
    return {engine: [_percent(*totals.get((engine, day), [0, 0])) for day in days] for engine in engines}
