"""DELETE /api/v1/me/: an app closes its user's account, after the password, and everything goes."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, User
from accounts.tokens import token_issue
from designs.models import Design, DesignResult
from tests.conftest import PASSWORD, assert_error
from tests.designs.conftest import submit
from tests.ops.conftest import stored_design, stored_files

pytestmark = pytest.mark.django_db


def test_it_refuses_a_wrong_or_missing_password(alice, alice_api):
    design = stored_design(owner=alice)
    assert_error(alice_api.delete("/api/v1/me/", {"password": "not it"}, format="json"), 400, "wrong_password",
                 "password")
    assert_error(alice_api.delete("/api/v1/me/"), 400, "required", "password")
    assert User.objects.filter(pk=alice.pk).exists() and stored_files(design)
    assert alice_api.get("/api/v1/me/").status_code == 200


def test_it_deletes_every_design_file_and_token(alice, alice_api, bob):
    queued = Design.objects.get(pk=submit(alice_api).json()["id"])
    finished = stored_design(owner=alice, results=2)
    theirs = stored_design(owner=bob)
    other_device = token_issue(user=alice, name="tablet")
    assert stored_files(queued) and stored_files(finished)

    response = alice_api.delete("/api/v1/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204, response.content
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Design.objects.filter(pk__in=[queued.pk, finished.pk]).exists()
    assert not DesignResult.objects.filter(design_id=finished.pk).exists()
    assert stored_files(queued) == stored_files(finished) == []
    assert not ApiToken.objects.filter(user_id=alice.pk).exists()
    assert_error(alice_api.get("/api/v1/me/"), 401)
    assert_error(APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {other_device}"), 401)
    assert stored_files(theirs) and User.objects.filter(pk=bob.pk).exists()
