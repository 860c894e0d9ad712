"""Anonymous reads store no session: a guest gets a session (and its cookie) when they first submit a design."""
from __future__ import annotations

import uuid

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from rest_framework.test import APIClient

from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db

READS = ["/", "/designs/new/", "/designs/", "/api/v1/designs/", "/api/v1/styles/", "/health/", "/ready/",
         f"/api/v1/designs/{uuid.uuid4()}/", f"/transform/status/{uuid.uuid4()}", f"/designs/{uuid.uuid4()}/"]


def test_it_stores_no_session_for_anonymous_reads():
    client = APIClient()
    for path in READS:
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert settings.SESSION_COOKIE_NAME not in response.cookies, path
    assert Session.objects.count() == 0


def test_it_starts_a_guest_session_on_the_first_design_and_keeps_it():
    client = APIClient()
    response = submit(client)
    assert response.status_code == 202, response.content
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert Session.objects.count() == 1
    listed = client.get("/api/v1/designs/").json()["results"]
    assert [item["id"] for item in listed] == [response.json()["id"]]
    assert Session.objects.count() == 1
