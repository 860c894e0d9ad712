"""Billing settings, parsed exactly (Decimal) and checked loudly: see billing/checks.py."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _decimal(name: str, value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise ImproperlyConfigured(f"{name}={value!r} must be a number ≥ 0")
    return number


def daily_budget_usd() -> Decimal:
    return _decimal("GPU_DAILY_BUDGET_USD", settings.GPU_DAILY_BUDGET_USD)


def gpu_prices() -> dict[str, Decimal]:
    """Dollars per GPU-second, keyed by upper-cased GPU type ("cpu" becomes "CPU")."""
    return {
        name.strip().upper(): _decimal(f"GPU_PRICES_USD_PER_SECOND[{name}]", price)
        for name, price in settings.GPU_PRICES_USD_PER_SECOND.items()
    }
