"""A design whose first result lost the layout (delivered marked, refunded) does not lead: the project's next
accepted result becomes the reference, and the remaining designs run with that one."""
from __future__ import annotations

from designs.models import Design, Status
from designs.worker import design_run
from projects.models import Project, ProjectDesign
from tests.projects.conftest import create_project


def test_it_skips_a_leader_whose_layout_was_refunded(transactional_db, alice_api, monkeypatch):
    project_id = create_project(alice_api, count=3).json()["id"]
    refunded, accepted, follower = Design.objects.filter(project_link__project_id=project_id).order_by("created_at")

    monkeypatch.setenv("QUALITY_RETRY_BELOW", "1.01")  # above any score: the pilot's result fails twice
    design_run(str(refunded.pk))
    refunded.refresh_from_db()
    assert refunded.status == Status.COMPLETED and refunded.results.get(index=0).layout_kept is False
    project = Project.objects.get(pk=project_id)
    assert not project.reference and project.reference_design is None  # not a look to build the home on
    assert ProjectDesign.objects.get(design=refunded).role == "pilot"
    assert ProjectDesign.objects.get(design=accepted).role == "pilot"  # released as the next pilot at once

    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")  # every sane image passes
    design_run(str(accepted.pk))
    project.refresh_from_db()
    assert project.reference_design_id == accepted.pk
    with project.reference.open("rb") as stored, accepted.results.get(index=0).image.open("rb") as result:
        assert stored.read() == result.read()
    assert ProjectDesign.objects.get(design=accepted).role == "leader"

    design_run(str(follower.pk))
    follower.refresh_from_db()
    assert follower.status == Status.COMPLETED
    assert follower.project_link.role == "follower" and follower.project_link.reference_from_id == accepted.pk
    assert follower.metadata["project"]["reference"]["from_design"] == str(accepted.pk)
