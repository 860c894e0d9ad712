"""The global caps count designs that hold capacity, so one user's submit-and-cancel loop cannot deny service."""
from __future__ import annotations

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from designs.models import Design
from designs.worker import design_abort, design_claim, design_fail
from tests.conftest import assert_error
from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db

CAPS = {"GLOBAL_DESIGNS_PER_MINUTE": 3, "GLOBAL_DESIGNS_PER_HOUR": 3}


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, name='test')}")
    return client


def _accepted(client) -> str:
    response = submit(client)
    assert response.status_code == 202, response.content
    return response.json()["id"]


@override_settings(**CAPS)
def test_it_does_not_let_a_submit_and_cancel_loop_refuse_everyone_else(alice_api, bob):
    for round_ in range(8):  # more than twice the caps; deleting a queued design gives it back too
        design_id = _accepted(alice_api)
        if round_ % 2:
            assert alice_api.delete(f"/api/v1/designs/{design_id}/").status_code == 204
        else:
            assert alice_api.post(f"/api/v1/designs/{design_id}/cancel/").status_code == 200
    response = submit(_api(bob))
    assert response.status_code == 202, response.content


@override_settings(**CAPS)
def test_it_still_counts_designs_that_wait_or_started_before_they_ended(alice_api, bob):
    waiting = _accepted(alice_api)
    started_then_cancelled, started_then_failed = _accepted(alice_api), _accepted(alice_api)
    for design_id in (started_then_cancelled, started_then_failed):
        attempt = design_claim(design_id)  # the worker's claim: the GPU started on it
        assert attempt == 1
    assert alice_api.post(f"/api/v1/designs/{started_then_cancelled}/cancel/").status_code == 200
    assert design_fail(started_then_failed, 1, "internal_error", "Something went wrong on our side.",
                       refund=True)
    assert Design.objects.get(pk=waiting).status == "queued"
    error = assert_error(submit(_api(bob)), 503, "capacity_exceeded")
    assert "busy" in error["message"]


@override_settings(**CAPS)
def test_it_frees_the_share_of_a_design_that_failed_before_it_started(alice_api, bob):
    first, second, third = _accepted(alice_api), _accepted(alice_api), _accepted(alice_api)
    assert_error(submit(_api(bob)), 503, "capacity_exceeded")
    # The reaper fails a design still queued at its deadline: the GPU never ran it.
    assert design_abort(third, "timeout", "This design took too long and was stopped.", refund=True)
    assert Design.objects.filter(pk__in=[first, second], status="queued").count() == 2
    assert submit(_api(bob)).status_code == 202
