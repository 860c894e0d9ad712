from __future__ import annotations

from datetime import timedelta

import dramatiq
import pytest
from django.utils import timezone

from designs.models import Design, Status
from designs.worker import designs_reap
from tests.designs.conftest import submit, wait_for

pytestmark = pytest.mark.django_db


def _queued_messages() -> int:
    broker = dramatiq.get_broker()
    return broker.client.llen(f"{broker.namespace}:gpu")


def test_it_fails_designs_past_their_deadline(alice_api):
    design_id = submit(alice_api).json()["id"]
    Design.objects.filter(pk=design_id).update(status=Status.TRANSFORMING, deadline_at=timezone.now())
    assert designs_reap()["failed"] == 1
    design = Design.objects.get(pk=design_id)
    assert design.status == "failed" and design.error_code == "timeout"


def test_it_takes_back_a_silent_workers_claim(alice_api):
    design_id = submit(alice_api).json()["id"]
    Design.objects.filter(pk=design_id).update(status=Status.TRANSFORMING, attempts=1,
                                               lease_until=timezone.now() - timedelta(seconds=1))
    before = _queued_messages()
    assert designs_reap()["requeued"] == 1
    assert Design.objects.get(pk=design_id).status == "queued"
    assert _queued_messages() == before + 1


def _queued_designs() -> list[list]:
    """The args of each message waiting in the real gpu queue."""
    broker = dramatiq.get_broker()
    ids = broker.client.lrange(f"{broker.namespace}:gpu", 0, -1)
    bodies = [broker.client.hget(f"{broker.namespace}:gpu.msgs", message_id) for message_id in ids]
    return [[dramatiq.Message.decode(body).actor_name, *dramatiq.Message.decode(body).args] for body in bodies]


def test_it_sends_again_a_message_that_never_arrived(worker_control, alice_api):
    design_id = submit(alice_api).json()["id"]
    worker_control.broker.flush("gpu")  # Redis lost the message (restarted without persistence)
    long_ago = timezone.now() - timedelta(hours=1)
    Design.objects.filter(pk=design_id).update(queued_at=long_ago)
    assert _queued_designs() == []

    reaped_at = timezone.now()
    assert designs_reap()["resent"] == 1
    assert _queued_designs() == [["process_design", design_id]]  # in the real queue, once
    design = Design.objects.get(pk=design_id)
    assert design.status == "queued" and design.queued_at >= reaped_at  # its wait starts again
    assert designs_reap()["resent"] == 0  # not again until it waited long enough once more
    assert len(_queued_designs()) == 1

    worker_control.start()  # and a worker then runs it, once
    state = wait_for(alice_api, design_id)
    assert state["status"] == "completed", state["error"]
    assert Design.objects.get(pk=design_id).attempts == 1
