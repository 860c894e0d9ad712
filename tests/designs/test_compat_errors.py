"""The first client's routes answer errors as {success: false, error, code}, with v1's statuses and codes."""
from __future__ import annotations

import json
import uuid

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from designs.models import Design
from tests.designs.conftest import photo_bytes, upload

pytestmark = pytest.mark.django_db


def _submit(**fields):
    data = {"file": upload(photo_bytes(long_side=400)), "style": "boho", **fields}
    return APIClient().post("/transform/submit", data, format="multipart")


def _assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"success", "error", "code"}, body
    assert body["success"] is False and body["code"] == code
    assert type(body["error"]) is str and body["error"]
    return body["error"]


@pytest.mark.parametrize("preferences", [
    "{not json", '["#a3b18a"]', '{"keep_furniture": "perhaps"}', '{"color_palette": ["#zzzzzz"]}',
    '{"color_palette": ["#111111", "#222222", "#333333", "#444444", "#555555", "#666666"]}', '{"keepFurniture": true}',
])
def test_it_refuses_bad_preferences_naming_them(preferences):
    message = _assert_error(_submit(preferences=preferences), 400, "invalid_preferences")
    assert message.startswith("preferences: ")
    assert not Design.objects.exists()


def test_it_names_this_clients_own_fields():
    response = APIClient().post("/transform/submit", {"style": "boho"}, format="multipart")
    assert _assert_error(response, 400, "required").startswith("file: ")
    assert _assert_error(_submit(style="gothic-castle"), 400, "invalid_choice").startswith("style: ")


def test_it_answers_v1s_statuses():
    _assert_error(_submit(file=upload(b"%PDF-1.4 not a photo")), 415, "unsupported_image_type")
    with override_settings(MAX_UPLOAD_BYTES=1000):
        _assert_error(_submit(), 413, "too_large")
    _assert_error(APIClient().get(f"/transform/status/{uuid.uuid4()}"), 404, "not_found")
    _assert_error(APIClient().delete(f"/transform/{uuid.uuid4()}"), 404, "not_found")


def test_it_counts_anonymous_jobs_in_the_guest_quota():
    for _ in range(3):  # the guest plan's daily limit, per network
        assert _submit(preferences=json.dumps({"keep_furniture": False})).status_code == 200
    response = _submit()
    _assert_error(response, 429, "quota_exceeded")
    assert int(response["Retry-After"]) > 0
    assert Design.objects.filter(owner=None).count() == 3
