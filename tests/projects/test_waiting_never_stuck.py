"""A waiting design takes no claim, and neither the deadline nor the reaper's resend strands it: the reaper fails
a pilot past its deadline, and the next design, which waited past its own first deadline, then leads."""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from designs.models import Design, Status
from designs.worker import designs_reap
from projects.consistency import WAIT_MESSAGE, design_gate
from tests.projects.conftest import create_project


def test_it_keeps_a_waiting_design_alive_and_hands_over_past_a_deadline(transactional_db, alice_api):
    project = create_project(alice_api, count=2).json()
    pilot, follower = (Design.objects.get(pk=photo["design"]["id"]) for photo in project["photos"])
    assert design_gate(pilot.pk) is True  # the oldest: it may run without a reference
    assert design_gate(follower.pk) is False  # it waits for a reference
    follower.refresh_from_db()
    assert follower.status == Status.QUEUED and follower.message == WAIT_MESSAGE and follower.attempts == 0

    # Both were accepted long ago: past their first deadlines, and queued long enough for a resend.
    long_ago = timezone.now() - timedelta(hours=1)
    Design.objects.filter(pk=pilot.pk).update(deadline_at=long_ago, queued_at=long_ago)
    Design.objects.filter(pk=follower.pk).update(deadline_at=long_ago, queued_at=long_ago)
    assert design_gate(follower.pk) is False  # a look while waiting moves its deadline and queued_at on
    follower.refresh_from_db()
    assert follower.deadline_at > timezone.now() and follower.queued_at > long_ago

    counts = designs_reap()
    assert counts["failed"] == 1
    pilot.refresh_from_db()
    follower.refresh_from_db()
    assert pilot.status == Status.FAILED and pilot.error_code == "timeout"
    assert follower.status == Status.QUEUED  # waiting is not running late

    assert design_gate(follower.pk) is True  # the failed pilot handed over: it leads now
    follower.refresh_from_db()
    assert follower.metadata["project"]["role"] == "pilot" and follower.deadline_at > timezone.now()
