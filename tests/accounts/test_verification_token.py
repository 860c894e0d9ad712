"""A verification link expires, and stops working when the account's address is no longer the one it confirmed."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from accounts.models import User
from accounts.verification import verification_token
from tests.conftest import PASSWORD, assert_error

URL = "/api/v1/auth/verify/"


def test_it_refuses_an_expired_link(api, db, settings):
    user = User.objects.create_user("n@example.com", PASSWORD, email_verified=False)
    token = verification_token(user=user)
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EMAIL_VERIFY_MAX_AGE + 60)):
        assert_error(api.post(URL, {"token": token}, format="json"), 400, "token_expired", "token")
        response = api.get(f"/verify/{token}/")
        assert response.status_code == 400 and "expired" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_verified
    assert api.post(URL, {"token": token}, format="json").status_code == 200  # still inside its lifetime


def test_it_refuses_a_link_for_an_address_the_account_no_longer_has(api, db):
    user = User.objects.create_user("old@example.com", PASSWORD, email_verified=False)
    token = verification_token(user=user)
    User.objects.filter(pk=user.pk).update(email="new@example.com")
    assert_error(api.post(URL, {"token": token}, format="json"), 400, "invalid_token")
    user.refresh_from_db()
    assert not user.email_verified
