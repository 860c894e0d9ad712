"""When the leader completes, the waiting designs are released at once (their messages sent right after the
commit), not at their next look: with a long poll interval the followers still start within seconds. Each runs
once: its waiting chain's later message finds it already claimed."""
from __future__ import annotations

from designs.models import Design
from tests.projects.conftest import create_project, wait_for_project


def test_it_starts_the_followers_as_soon_as_the_leader_completes(worker3, alice_api, settings):
    settings.PROJECT_WAIT_POLL_SECONDS = 30  # polling alone would start them up to 30 s late
    state = wait_for_project(alice_api, create_project(alice_api, count=3).json()["id"])
    assert state["status"] == "completed", [p["design"]["error"] for p in state["photos"]]
    leader = Design.objects.get(pk=state["reference_design"])
    followers = list(Design.objects.filter(project_link__project_id=state["id"]).exclude(pk=leader.pk))
    assert len(followers) == 2
    for follower in followers:
        waited = (follower.started_at - leader.finished_at).total_seconds()
        assert 0 <= waited < 5, waited  # far below the 30 s poll
        assert follower.attempts == 1  # released once, claimed once
        assert follower.project_link.role == "follower" and follower.project_link.reference_from_id == leader.pk
