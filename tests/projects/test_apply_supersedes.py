"""Apply to all while older designs of the project are unfinished: the ones not started yet are cancelled and
their images given back (they would only run with the old choices); a running one finishes, but it does not hold
the new designs back: the oldest new design pilots the new look at once."""
from __future__ import annotations

from accounts.requester import Requester
from billing.selectors import quota_status
from designs.models import RUNNING, Design, Status
from designs.worker import design_claim
from projects.consistency import design_gate
from projects.services import SUPERSEDED_MESSAGE
from tests.projects.conftest import create_project


def test_it_cancels_the_superseded_queued_designs_and_lets_a_running_one_finish(transactional_db, alice,
                                                                                 alice_api):
    project = create_project(alice_api, count=2).json()  # the free plan's 5 a day: 2 used
    running, queued = (Design.objects.get(pk=photo["design"]["id"]) for photo in project["photos"])
    assert design_gate(running.pk) is True and design_claim(running.pk) == 1  # the pilot runs
    assert design_gate(queued.pk) is False  # the other waits for its reference

    response = alice_api.post(f"/api/v1/projects/{project['id']}/apply/", {"style": "industrial"}, format="json")
    assert response.status_code == 202, response.content
    new = [Design.objects.get(pk=photo["design"]["id"]) for photo in response.json()["photos"]]
    assert {design.style for design in new} == {"industrial"}

    queued.refresh_from_db()
    running.refresh_from_db()
    assert queued.status == Status.CANCELLED and queued.message == SUPERSEDED_MESSAGE
    assert queued.metadata["project"]["superseded"] is True
    assert running.status in RUNNING  # it used the GPU already: it finishes
    # Two new designs taken, the cancelled one given back, the running one still counted.
    assert quota_status(requester=Requester(user=alice, guest_key="", ip=""))["used"] == 3

    first, second = sorted(new, key=lambda design: design.created_at)
    assert design_gate(first.pk) is True  # the new look's pilot, though an older design is still running
    assert Design.objects.get(pk=first.pk).metadata["project"]["role"] == "pilot"
    assert design_gate(second.pk) is False  # waits for the new look's reference
