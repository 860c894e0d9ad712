"""Who a quota belongs to, and the UTC day it is counted in."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from core.clients import network_key  # guests are counted per network: an IPv4 address or an IPv6 /64


@dataclass(frozen=True)
class Subject:
    """A signed-in user, or a guest's client network. Exactly one of the two is set."""

    user: object | None  # accounts.User
    guest_ip: str = ""

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    def lookup(self) -> dict:
        """Filter arguments that match the partial unique indexes on DailyUsage."""
        if self.user is not None:
            return {"user_id": self.user.pk}
        return {"user__isnull": True, "guest_ip": self.guest_ip}

    def fields(self) -> dict:
        return {"user_id": self.user_id, "guest_ip": self.guest_ip}


def subject_for_requester(requester) -> Subject:
    if requester.user is not None:
        return Subject(user=requester.user)
    return Subject(user=None, guest_ip=requester.network)


def subject_for_design(design) -> Subject:
    if design.owner_id is not None:
        return Subject(user=design.owner)
    return Subject(user=None, guest_ip=network_key(design.client_ip))


def utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


def next_reset() -> datetime:
    """Quotas and the GPU budget start again at the next midnight UTC."""
    return datetime.combine(utc_today() + timedelta(days=1), time.min, tzinfo=UTC)


def seconds_until_reset() -> int:
    return max(1, math.ceil((next_reset() - timezone.now()).total_seconds()))
