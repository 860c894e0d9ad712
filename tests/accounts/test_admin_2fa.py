"""Staff need a TOTP code for the admin when ADMIN_REQUIRE_2FA is on, or once they have enrolled one."""
from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent, User
from tests.conftest import PASSWORD


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser("ops@example.com", PASSWORD)


@pytest.fixture
def device(staff) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


def _code(device: TOTPDevice, *, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits) + offset:06d}"[-6:]


def _password(client):
    response = client.post("/admin/login/?next=/admin/", {"username": "ops@example.com", "password": PASSWORD,
                                                          "next": "/admin/"})
    assert response.status_code == 302
    return response


@override_settings(ADMIN_REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_it_keeps_the_admin_closed_until_the_code_is_right(client, device):
    _password(client)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/user/").status_code == 302
    page = client.get(response["Location"])
    assert b'name="otp_token"' in page.content and b'name="password"' not in page.content

    wrong = client.post("/admin/login/?next=/admin/", {"otp_token": _code(device, offset=1)})
    assert wrong.status_code == 400
    assert client.get("/admin/").status_code == 302

    right = client.post("/admin/login/?next=/admin/accounts/user/", {"otp_token": _code(device)})
    assert right.status_code == 302 and right["Location"] == "/admin/accounts/user/"
    assert client.get("/admin/accounts/user/").status_code == 200
    assert list(SignInEvent.objects.order_by("at", "pk").values_list("outcome", flat=True)) == [
        "signed_in", "otp_failed", "otp_verified"]


@override_settings(ADMIN_REQUIRE_2FA=False)
def test_it_asks_an_enrolled_staff_member_for_the_code_even_when_not_required(client, device):
    _password(client)
    assert client.get("/admin/").status_code == 302
    client.post("/admin/login/?next=/admin/", {"otp_token": _code(device)})
    assert client.get("/admin/").status_code == 200


@override_settings(ADMIN_REQUIRE_2FA=False)
def test_it_lets_staff_without_a_device_in_when_not_required(client, staff):
    _password(client)
    assert client.get("/admin/").status_code == 200


@override_settings(ADMIN_REQUIRE_2FA=True, OTP_TOTP_THROTTLE_FACTOR=0)
def test_it_enrols_a_device_showing_its_secret_once(client, staff):
    response = _password(client)
    enrol = client.get(response["Location"], follow=True)
    assert enrol.redirect_chain[-1][0].startswith("/admin/two-factor/")
    assert enrol["Cache-Control"].startswith("max-age=0") and "no-store" in enrol["Cache-Control"]
    secret = re.search(rb'id="otp-secret">([A-Z2-7]+)<', enrol.content).group(1)
    assert b"<svg" in enrol.content
    again = client.get("/admin/two-factor/")
    assert re.search(rb'id="otp-secret">([A-Z2-7]+)<', again.content).group(1) != secret  # a new one; the old is gone
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed

    assert client.post("/admin/two-factor/", {"otp_token": _code(device, offset=1)}).status_code == 400
    assert b"otp-secret" not in client.post("/admin/two-factor/", {"otp_token": "12"}).content  # never again
    assert client.get("/admin/").status_code == 302
    done = client.post("/admin/two-factor/", {"otp_token": _code(device)})
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.get(user=staff).confirmed
    assert SignInEvent.objects.filter(outcome="otp_enrolled", user=staff).exists()


@override_settings(ADMIN_REQUIRE_2FA=True)
def test_it_does_not_let_a_password_alone_replace_the_device(client, device):
    _password(client)
    response = client.get("/admin/two-factor/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert list(TOTPDevice.objects.values_list("pk", flat=True)) == [device.pk]


@override_settings(ADMIN_REQUIRE_2FA=True, RATELIMIT_LOGIN="3/m", OTP_TOTP_THROTTLE_FACTOR=0)
def test_it_counts_wrong_codes_as_failed_sign_ins(client, device):
    _password(client)
    for _ in range(3):
        assert client.post("/admin/login/", {"otp_token": _code(device, offset=1)}).status_code == 400
    response = client.post("/admin/login/", {"otp_token": _code(device)})
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302
