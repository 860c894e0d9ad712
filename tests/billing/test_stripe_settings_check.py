"""`manage.py check` warns when Stripe can take payments but its events cannot reach Restyle."""
from __future__ import annotations

from django.test import override_settings

from billing.checks import check_stripe_settings


def test_it_is_quiet_without_payments_and_with_both_keys():
    assert check_stripe_settings(None) == []
    with override_settings(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="whsec_x"):
        assert check_stripe_settings(None) == []


@override_settings(STRIPE_SECRET_KEY="sk_test_x", STRIPE_WEBHOOK_SECRET="")
def test_it_warns_about_a_key_without_the_webhook_secret():
    assert [warning.id for warning in check_stripe_settings(None)] == ["billing.W002"]
