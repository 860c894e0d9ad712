from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from designs.models import Design, Status
from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db


def test_it_accepts_a_design_with_the_documented_answer(alice_api):
    response = submit(alice_api, variations="2", creativity="0.7", color_palette='["#a3b18a"]')
    assert response.status_code == 202, response.content
    body = response.json()
    design = Design.objects.get()
    assert body["id"] == str(design.id)
    assert body["status"] == "queued"
    assert body["progress"] == 0
    assert body["status_url"].endswith(f"/api/v1/designs/{design.id}/")
    assert body["websocket_url"] == f"ws://testserver/ws/designs/{design.id}/"
    assert design.variations == 2
    assert design.preferences["creativity"] == 0.7


def test_it_stores_the_photo_under_a_server_chosen_key(alice, alice_api):
    from tests.designs.conftest import upload

    submit(alice_api, image=upload(name="../../etc/passwd.jpg"))
    design = Design.objects.get()
    assert design.original.name == f"designs/u{alice.pk}/{design.id}/original.jpg"


def test_it_returns_the_same_design_for_a_repeated_idempotency_key(alice_api):
    first = submit(alice_api, headers={"HTTP_IDEMPOTENCY_KEY": "abc-123"})
    second = submit(alice_api, headers={"HTTP_IDEMPOTENCY_KEY": "abc-123"})
    assert first.status_code == 202
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Design.objects.count() == 1


def test_it_keeps_idempotency_keys_per_user(alice_api, bob):
    bob_api = APIClient()
    bob_api.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='t')}")
    a = submit(alice_api, headers={"HTTP_IDEMPOTENCY_KEY": "same"}).json()["id"]
    b = submit(bob_api, headers={"HTTP_IDEMPOTENCY_KEY": "same"}).json()["id"]
    assert a != b


@pytest.mark.django_db(transaction=True)
def test_it_creates_one_design_for_concurrent_duplicates(alice):
    token = token_issue(user=alice, name="t")
    barrier = threading.Barrier(8)
    ids, errors = [], []

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        try:
            ids.append(submit(client, headers={"HTTP_IDEMPOTENCY_KEY": "race"}).json()["id"])
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1 and len(ids) == 8
    assert Design.objects.count() == 1


def test_it_estimates_time_from_measured_designs(alice, alice_api):
    assert submit(alice_api).json()["estimated_time"] is None  # no history yet: no made-up number
    now = timezone.now()
    for seconds in (10, 20):
        Design.objects.create(owner=alice, style="modern", status=Status.COMPLETED, original="x.jpg",
                              started_at=now - timedelta(seconds=seconds), finished_at=now, deadline_at=now)
    from django.core.cache import cache

    cache.clear()
    estimate = submit(alice_api).json()["estimated_time"]
    assert estimate == pytest.approx(30.0)  # 15 s each, for the design queued ahead and this one


def test_it_lists_newest_first_with_filters(alice_api):
    for style in ("modern", "boho", "modern"):
        submit(alice_api, style=style)
    body = alice_api.get("/api/v1/designs/", {"style": "modern"}).json()
    assert body["count"] == 2
    assert [d["style"] for d in body["results"]] == ["modern", "modern"]
    created = [d["created_at"] for d in alice_api.get("/api/v1/designs/").json()["results"]]
    assert created == sorted(created, reverse=True)
    assert alice_api.get("/api/v1/designs/", {"status": "completed"}).json()["count"] == 0


def test_it_serves_the_style_catalog(api):
    body = api.get("/api/v1/styles/").json()
    assert len(body["styles"]) >= 16 and len(body["room_types"]) >= 12
    assert {"code", "name", "description"} <= set(body["styles"][0])
