"""Re-rolling one photo makes a new design of it with a new seed for that photo only, recorded on both."""
from __future__ import annotations

from projects.models import ProjectDesign, ProjectPhoto
from tests.projects.conftest import create_project


def test_it_rerolls_one_photo_with_its_own_new_seed(alice_api):
    project = create_project(alice_api, count=2).json()
    first, second = project["photos"]
    response = alice_api.post(f"/api/v1/projects/{project['id']}/photos/{first['id']}/reroll/")
    assert response.status_code == 202, response.content
    rerolled, untouched = response.json()["photos"]

    assert rerolled["seed"] != project["seed"] and rerolled["rerolled"] is True
    assert rerolled["designs_count"] == 2 and rerolled["design"]["id"] != first["design"]["id"]
    assert rerolled["design"]["preferences"]["seed"] == rerolled["seed"]
    assert rerolled["design"]["metadata"]["project"]["seed"] == rerolled["seed"]
    assert ProjectPhoto.objects.get(pk=first["id"]).seed == rerolled["seed"]
    assert ProjectDesign.objects.get(design_id=rerolled["design"]["id"]).seed == rerolled["seed"]

    assert untouched["seed"] == project["seed"] and untouched["rerolled"] is False
    assert untouched["designs_count"] == 1 and untouched["design"]["id"] == second["design"]["id"]
