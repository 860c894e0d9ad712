"""A leader that fails (or is cancelled) while the others wait hands over: the next one leads, none is stuck."""
from __future__ import annotations

import time

from designs.models import RUNNING, Design
from designs.worker import design_abort
from projects.consistency import WAIT_MESSAGE
from tests.projects.conftest import create_project, wait_for_project


def _pilot_running_and_others_waiting(project_id: str, timeout: float = 120) -> Design:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        designs = list(Design.objects.filter(project_link__project_id=project_id).order_by("created_at"))
        if designs[0].status in RUNNING and all(d.message == WAIT_MESSAGE for d in designs[1:]):
            return designs[0]
        time.sleep(0.05)
    raise AssertionError([(d.status, d.message) for d in designs])


def test_it_hands_the_lead_to_the_next_design_when_the_leader_fails(worker3, alice_api):
    project_id = create_project(alice_api, count=3).json()["id"]
    pilot = _pilot_running_and_others_waiting(project_id)
    assert design_abort(pilot.pk, "timeout", "This design took too long and was stopped.", refund=True)

    state = wait_for_project(alice_api, project_id, timeout=90)
    by_id = {photo["design"]["id"]: photo["design"] for photo in state["photos"]}
    assert by_id[str(pilot.pk)]["status"] == "failed"
    others = [design for design_id, design in by_id.items() if design_id != str(pilot.pk)]
    assert [design["status"] for design in others] == ["completed", "completed"]
    assert state["reference_design"] in {design["id"] for design in others}  # the next one led
    roles = sorted(design["metadata"]["project"]["role"] for design in others)
    assert roles == ["follower", "leader"]
    for design in others:
        assert design["metadata"]["project"]["reference"]["from_design"] == state["reference_design"]
