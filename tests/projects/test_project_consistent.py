"""A project of three photos completes with one set of choices, and every design records the shared seed and
the shared style reference (the leader's first result) it ran with."""
from __future__ import annotations

import hashlib

from designs.models import Design
from projects.models import Project
from tests.projects.conftest import create_project, wait_for_project


def _sha(field) -> str:
    with field.open("rb") as stored:
        return hashlib.sha256(stored.read()).hexdigest()


def test_it_completes_a_project_of_three_photos_with_one_set_of_choices(worker, alice_api):
    response = create_project(alice_api)
    assert response.status_code == 201, response.content
    state = wait_for_project(alice_api, response.json()["id"])
    assert state["status"] == "completed", [p["design"]["error"] for p in state["photos"]]
    project = Project.objects.get(pk=state["id"])
    designs = [photo["design"] for photo in state["photos"]]
    assert len(designs) == 3 and len({d["id"] for d in designs}) == 3

    # One set of choices: the same style, prompt, materials wording and seed on every design.
    for design in designs:
        assert design["style"] == "japandi"
        assert design["preferences"]["prompt"] == "a reading corner"
        assert design["preferences"]["flooring"] == "light oak"
        assert design["preferences"]["color_palette"] == ["#a3b18a", "#f2e8cf"]
        assert design["preferences"]["seed"] == project.seed == state["seed"]
        assert design["metadata"]["project"]["seed"] == project.seed

    # The shared reference: the leader's first result, recorded on every design; the others ran with a copy.
    leader = Design.objects.get(pk=state["reference_design"])
    reference_sha = _sha(leader.results.get(index=0).image)
    assert _sha(project.reference) == reference_sha
    roles = sorted(d["metadata"]["project"]["role"] for d in designs)
    assert roles == ["follower", "follower", "leader"]
    for design in designs:
        assert design["metadata"]["project"]["reference"] == {"from_design": str(leader.pk), "sha256": reference_sha}
        row = Design.objects.get(pk=design["id"])
        if row.pk != leader.pk:
            assert row.reference.name.startswith(row.storage_prefix + "/")  # its own copy, deleted with it
            assert _sha(row.reference) == reference_sha
        else:
            assert not row.reference
