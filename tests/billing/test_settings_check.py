from __future__ import annotations

from django.test import override_settings

from billing.checks import check_billing_settings


def test_it_accepts_the_default_settings():
    assert check_billing_settings(None) == []


@override_settings(RATELIMIT_SUBMIT="thirty a minute")
def test_it_rejects_a_malformed_submit_rate():
    assert [(e.id, "RATELIMIT_SUBMIT" in e.msg) for e in check_billing_settings(None)] == [("billing.E001", True)]


@override_settings(GPU_DAILY_BUDGET_USD="lots", GPU_PRICES_USD_PER_SECOND={"T4": ""})
def test_it_rejects_malformed_money():
    messages = " ".join(e.msg for e in check_billing_settings(None))
    assert "GPU_DAILY_BUDGET_USD='lots'" in messages
    assert "GPU_PRICES_USD_PER_SECOND[T4]" in messages
