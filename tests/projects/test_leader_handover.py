"""A pilot that fails, is cancelled or is deleted while the others wait hands over at once: the next design becomes the
pilot and starts within seconds (not at its next look, 30 s later here), and none is stuck."""
from __future__ import annotations

import time

from designs.models import RUNNING, Design
from designs.worker import design_abort
from projects.consistency import WAIT_MESSAGE
from tests.projects.conftest import create_project, wait_for_project


def _pilot_running(project_id: str, index: int, timeout: float = 120) -> Design:
    """The project's design at `index` (oldest first) running, and every later one waiting."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        designs = list(Design.objects.filter(project_link__project_id=project_id).order_by("created_at"))
        if designs[index].status in RUNNING and all(d.message == WAIT_MESSAGE for d in designs[index + 1:]):
            return designs[index]
        time.sleep(0.05)
    raise AssertionError([(d.status, d.message) for d in designs])


def test_it_hands_the_lead_on_at_once_when_the_pilot_fails_is_cancelled_or_is_deleted(worker3, alice_api, settings):
    settings.PROJECT_WAIT_POLL_SECONDS = 30  # polling alone would start the next pilot up to 30 s late
    project_id = create_project(alice_api, count=4).json()["id"]
    failed = _pilot_running(project_id, 0)
    assert design_abort(failed.pk, "timeout", "This design took too long and was stopped.", refund=True)
    cancelled = _pilot_running(project_id, 1)
    assert alice_api.post(f"/api/v1/designs/{cancelled.pk}/cancel/").json()["status"] == "cancelled"
    deleted = _pilot_running(project_id, 2)
    assert alice_api.delete(f"/api/v1/designs/{deleted.pk}/").status_code == 204
    deleted_at = time.monotonic()
    last = _pilot_running(project_id, 2)  # the deleted one is gone: the fourth is the third now
    assert time.monotonic() - deleted_at < 5  # far below the 30 s poll

    state = wait_for_project(alice_api, project_id, timeout=90, led=True)  # the last design leads here
    by_id = {photo["design"]["id"]: photo["design"] for photo in state["photos"] if photo["design"]}
    assert [by_id[str(failed.pk)]["status"], by_id[str(cancelled.pk)]["status"]] == ["failed", "cancelled"]
    assert by_id[str(last.pk)]["status"] == "completed" and state["reference_design"] == str(last.pk)  # it led
    assert by_id[str(last.pk)]["metadata"]["project"]["role"] == "leader"
    assert by_id[str(last.pk)]["metadata"]["project"]["reference"]["from_design"] == str(last.pk)
    assert str(deleted.pk) not in by_id
    failed_at, cancelled_at = (Design.objects.get(pk=pk).finished_at for pk in (failed.pk, cancelled.pk))
    for waited in (cancelled.started_at - failed_at, deleted.started_at - cancelled_at):
        assert 0 <= waited.total_seconds() < 5, waited  # far below the 30 s poll
