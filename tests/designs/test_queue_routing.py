"""Every send of a design's job uses its plan's queue: the submit, retries with backoff, and the reaper's."""
from __future__ import annotations

from datetime import timedelta

import dramatiq
import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tokens import token_issue
from billing.selectors import plan_get
from billing.services import subscription_change
from designs.models import Design, Status
from designs.worker import design_claim, design_requeue, designs_reap
from tests.designs.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_queues():
    broker = dramatiq.get_broker()
    broker.flush_all()
    yield
    broker.flush_all()


def _waiting() -> dict[str, int]:
    broker = dramatiq.get_broker()
    names = ("gpu-priority", "gpu", "gpu-priority.DQ", "gpu.DQ")
    return {name: broker.client.llen(f"{broker.namespace}:{name}") for name in names}


def _on(plan: str, user) -> APIClient:
    subscription_change(user=user, plan=plan_get(code=plan))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, name='test')}")
    return client


def _submitted(client, capture) -> str:
    with capture(execute=True):  # the enqueue runs on commit
        response = submit(client)
    assert response.status_code == 202, response.content
    return response.json()["id"]


def test_it_sends_each_plan_to_its_queue_at_submit(django_capture_on_commit_callbacks, alice, bob, admin_user):
    _submitted(APIClient(), django_capture_on_commit_callbacks)  # a guest
    _submitted(_on("free", alice), django_capture_on_commit_callbacks)
    _submitted(_on("premium", bob), django_capture_on_commit_callbacks)
    _submitted(_on("staff", admin_user), django_capture_on_commit_callbacks)
    assert _waiting() == {"gpu-priority": 2, "gpu": 2, "gpu-priority.DQ": 0, "gpu.DQ": 0}


@override_settings(PRIORITY_QUEUE_MIN_PRIORITY=9)
def test_it_reads_the_threshold_from_settings(django_capture_on_commit_callbacks, bob, admin_user):
    _submitted(_on("premium", bob), django_capture_on_commit_callbacks)  # priority 5: below 9 now
    _submitted(_on("staff", admin_user), django_capture_on_commit_callbacks)
    assert _waiting() == {"gpu-priority": 1, "gpu": 1, "gpu-priority.DQ": 0, "gpu.DQ": 0}


def test_it_keeps_a_premium_design_on_the_priority_queue_when_it_is_sent_again(django_capture_on_commit_callbacks,
                                                                             bob):
    design_id = _submitted(_on("premium", bob), django_capture_on_commit_callbacks)
    # A message Redis lost: the reaper sends it again.
    Design.objects.filter(pk=design_id).update(queued_at=timezone.now() - timedelta(hours=1))
    assert designs_reap()["resent"] == 1
    assert _waiting()["gpu-priority"] == 2
    # A worker that went silent: the reaper takes its claim back and sends the design again.
    attempt = design_claim(design_id)
    Design.objects.filter(pk=design_id).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert designs_reap()["requeued"] == 1
    assert _waiting()["gpu-priority"] == 3
    # A transient GPU error: the retry waits its backoff in the priority queue's delay queue.
    attempt = design_claim(design_id)
    assert design_requeue(design_id, attempt)
    assert Design.objects.get(pk=design_id).status == Status.QUEUED
    assert _waiting() == {"gpu-priority": 3, "gpu": 0, "gpu-priority.DQ": 1, "gpu.DQ": 0}
