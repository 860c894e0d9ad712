"""`manage.py check` (run also by migrate and runserver) refuses malformed billing settings."""
from __future__ import annotations

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from billing import conf


@checks.register()
def check_billing_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for parse in (conf.daily_budget_usd, conf.gpu_prices, _check_rate):
        try:
            parse()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id="billing.E001"))
    return errors


# django-ratelimit's rate format: a count, a slash, an optional multiplier and a unit ("30/m", "100/5m").
_RATE = re.compile(r"[1-9]\d*/\d*[smhd]")


def _check_rate() -> None:
    if not _RATE.fullmatch(str(settings.RATELIMIT_SUBMIT)):
        raise ImproperlyConfigured(f"RATELIMIT_SUBMIT={settings.RATELIMIT_SUBMIT!r} is not a rate like 30/m")


@checks.register()
def check_stripe_settings(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Checkout without the webhook would take people's money and change their plan only when they come back to
    the site; a cancellation or a failed payment would never reach Restyle."""
    if settings.STRIPE_SECRET_KEY and not settings.STRIPE_WEBHOOK_SECRET:
        return [checks.Warning("STRIPE_SECRET_KEY is set but STRIPE_WEBHOOK_SECRET is not: Stripe's events "
                               "(cancellations, failed payments) will be refused.", id="billing.W002")]
    return []
