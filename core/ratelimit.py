"""Rate limits: one counted hit per call, a 429 with Retry-After past the rate."""
from __future__ import annotations

import math

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework import status

from core.errors import ApiError


def enforce_rate_limit(request, *, group: str, key: str, rate: str) -> None:
    """Count one hit for `key` in `group`; over `rate` → 429 with Retry-After."""
    if not settings.RATELIMIT_ENABLE or not key:
        return
    usage = get_usage(request, group=group, key=lambda _group, _request: key, rate=rate, increment=True)
    if usage and usage["should_limit"]:
        retry_after = max(1, math.ceil(usage["time_left"]))
        raise ApiError(
            "rate_limited",
            f"Too many attempts. Try again in {retry_after} seconds.",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(retry_after)},
        )
