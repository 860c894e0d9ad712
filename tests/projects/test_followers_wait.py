"""A project's followers wait for the leader, without an attempt or a GPU charge, then run with its reference."""
from __future__ import annotations

import hashlib

from billing.models import GpuCharge
from designs.models import Design
from tests.projects.conftest import create_project, wait_for_project


def test_it_runs_the_followers_after_the_leader_with_its_reference(worker3, alice_api):
    state = wait_for_project(alice_api, create_project(alice_api, count=3).json()["id"])
    assert state["status"] == "completed"
    leader = Design.objects.get(pk=state["reference_design"])
    followers = Design.objects.filter(project_link__project_id=state["id"]).exclude(pk=leader.pk)
    assert followers.count() == 2
    with leader.results.get(index=0).image.open("rb") as stored:
        leader_result = stored.read()
    for follower in followers:
        assert follower.started_at >= leader.finished_at  # it waited: nothing ran before a reference existed
        with follower.reference.open("rb") as stored:
            assert stored.read() == leader_result  # what the worker sent as style_reference
        assert follower.project_link.reference_from_id == leader.pk
    for design in [leader, *followers]:
        assert design.attempts == 1, design.pk  # waiting took no claim
        assert GpuCharge.objects.filter(design=design).count() == 1  # and was not charged
    assert state["photos"][0]["design"]["metadata"]["project"]["reference"]["sha256"] == \
        hashlib.sha256(leader_result).hexdigest()
