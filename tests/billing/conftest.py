from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.requester import Requester
from billing.models import DailyUsage, Plan, UsageEntry
from billing.services import quota_reserve
from core.errors import ApiError
from designs.models import Design, Status
from tests.billing.stripe_support import payments  # noqa: F401  (localstripe as Restyle's Stripe)

GUEST_IP = "203.0.113.5"


@pytest.fixture
def design_row(db) -> Callable[..., Design]:
    """A design row as design_create leaves it; no file is needed for quota work."""

    def make(*, owner=None, ip: str | None = GUEST_IP, variations: int = 1, status: str = Status.QUEUED,
             **fields) -> Design:
        return Design.objects.create(
            owner=owner, client_ip=None if owner else ip, style="scandinavian", original="designs/t/original.jpg",
            variations=variations, status=status, deadline_at=timezone.now() + timedelta(minutes=10), **fields,
        )

    return make


@pytest.fixture
def reserved_design(design_row) -> Callable[..., Design]:
    """What design_create does: insert the design and reserve its units in one transaction."""

    def reserve(*, owner=None, ip: str | None = GUEST_IP, variations: int = 1) -> Design:
        with transaction.atomic():
            design = design_row(owner=owner, ip=ip, variations=variations)
            quota_reserve(design=design, units=variations)
        return design

    return reserve


def plan_change_form(plan: Plan, **changes) -> dict:
    """The admin's change form for `plan` as posted unchanged, with `changes` on top."""
    fields = ["code", "name", "daily_limit", "max_variations", "max_resolution", "queue_priority", "monthly_price",
              "upscale_images"]
    return {**{field: getattr(plan, field) for field in fields}, **changes}


def guest(ip: str = GUEST_IP, key: str = "guest-session") -> Requester:
    return Requester(user=None, guest_key=key, ip=ip)


def member(user, ip: str = GUEST_IP) -> Requester:
    return Requester(user=user, guest_key="", ip=ip)


def assert_ledger_adds_up() -> None:
    """Every counter equals its ledger: used = Σ reserve − Σ refund, granted = Σ grant, per subject and day."""
    expected: dict[tuple, dict[str, int]] = defaultdict(lambda: {"used": 0, "granted": 0})
    sign = {"reserve": ("used", 1), "refund": ("used", -1), "grant": ("granted", 1)}
    for entry in UsageEntry.objects.all():
        field, factor = sign[entry.kind]
        expected[(entry.user_id, entry.guest_ip, entry.day)][field] += factor * entry.units
    actual = {(row.user_id, row.guest_ip, row.day): {"used": row.used, "granted": row.granted}
              for row in DailyUsage.objects.all() if row.used or row.granted}
    assert actual == {key: value for key, value in expected.items() if value["used"] or value["granted"]}


def run_together(functions: list[Callable[[], object]]) -> list[object]:
    """Run each function in its own thread (so its own database connection), released together by a
    barrier. Returns each one's result, or the exception it raised."""
    barrier = threading.Barrier(len(functions))
    results: list[object] = [None] * len(functions)

    def run(index: int, function: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # collected for the test to inspect
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def quota_errors(results: list[object]) -> list[ApiError]:
    return [r for r in results if isinstance(r, ApiError) and r.error_code == "quota_exceeded"]
