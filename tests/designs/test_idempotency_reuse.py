"""An Idempotency-Key answers the same request again with its design; another request with it gets a 422."""
from __future__ import annotations

import pytest

from designs.models import Design
from tests.conftest import assert_error
from tests.designs.conftest import photo_bytes, submit, upload

pytestmark = pytest.mark.django_db

KEY = {"HTTP_IDEMPOTENCY_KEY": "order-42"}


def test_it_answers_the_same_request_with_the_same_design(alice_api):
    first = submit(alice_api, headers=KEY, style="boho", variations="1")
    again = submit(alice_api, headers=KEY, style="boho", variations="1")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("change", [
    {"style": "industrial"},
    {"creativity": "0.9"},
    {"image": "other photo"},
])
def test_it_refuses_the_key_with_a_different_request(alice_api, change):
    first = submit(alice_api, headers=KEY, style="boho")
    assert first.status_code == 202, first.content
    if "image" in change:
        change = {"image": upload(photo_bytes(long_side=700))}
    error = assert_error(submit(alice_api, headers=KEY, **{"style": "boho", **change}), 422,
                         "idempotency_key_reused", "Idempotency-Key")
    assert "Idempotency-Key" in error["message"]
    assert [str(pk) for pk in Design.objects.values_list("id", flat=True)] == [first.json()["id"]]


def test_it_refuses_the_key_with_a_different_request_on_the_compatibility_route(alice_api):
    first = alice_api.post("/transform/submit", {"file": upload(), "style": "boho"}, format="multipart", **KEY)
    assert first.status_code == 200, first.content  # the first client's contract answers 200
    again = alice_api.post("/transform/submit", {"file": upload(), "style": "boho"}, format="multipart", **KEY)
    assert again.json()["job_id"] == first.json()["job_id"]
    other = alice_api.post("/transform/submit", {"file": upload(), "style": "coastal"}, format="multipart", **KEY)
    assert other.status_code == 422, other.content
    assert other.json() == {"success": False, "code": "idempotency_key_reused", "error": other.json()["error"]}
    assert "Idempotency-Key" in other.json()["error"]
