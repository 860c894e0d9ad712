from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_issue
from billing.models import DailyUsage
from designs.models import Design
from tests.billing.conftest import assert_ledger_adds_up, run_together
from tests.conftest import assert_error


def _photo() -> SimpleUploadedFile:
    """The smallest photo the upload checks accept: the test is about counting, not images."""
    buffer = io.BytesIO()
    Image.new("RGB", (320, 256), (180, 160, 140)).save(buffer, "JPEG")
    return SimpleUploadedFile("room.jpg", buffer.getvalue(), content_type="image/jpeg")


def _submit(client: APIClient, **extra):
    return client.post("/api/v1/designs/", {"style": "japandi", "image": _photo()}, format="multipart", **extra)


@pytest.mark.django_db(transaction=True)
def test_it_accepts_exactly_the_remaining_designs_of_twenty_simultaneous_submits():
    alice = User.objects.create_user("alice@example.com", "x")  # free: 5 a day
    token = token_issue(user=alice, name="phone")

    def client() -> APIClient:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return api

    assert [_submit(client()).status_code for _ in range(2)] == [202, 202]
    responses = run_together([lambda: _submit(client()) for _ in range(20)])

    assert sorted(r.status_code for r in responses) == [202] * 3 + [429] * 17, responses
    refused = next(r for r in responses if r.status_code == 429)
    error = assert_error(refused, 429, "quota_exceeded")
    assert error["quota"]["used"] == 5 and error["quota"]["remaining"] == 0
    assert int(refused["Retry-After"]) > 0
    assert Design.objects.filter(owner=alice).count() == 5
    assert DailyUsage.objects.get(user=alice).used == 5
    assert_ledger_adds_up()


@override_settings(NUM_PROXIES=0)
def test_it_counts_a_guest_by_address_whatever_forwarded_for_says(db):
    codes = [_submit(APIClient(), REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
             for i in range(4)]
    assert codes == [202, 202, 202, 429]
