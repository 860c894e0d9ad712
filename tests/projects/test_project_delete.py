"""Deleting a project removes its designs, their files, its photos and its reference, and gives back the quota
of designs that never started."""
from __future__ import annotations

from django.conf import settings

from accounts.requester import Requester
from billing.selectors import quota_status
from designs.models import Design
from projects.models import Project, ProjectPhoto
from tests.projects.conftest import create_project


def _files() -> list:
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]


def test_it_deletes_a_project_with_its_designs_and_files(alice, alice_api):
    before = set(_files())
    project = create_project(alice_api, count=2).json()
    assert len(set(_files()) - before) == 4  # two photos in the project's folder, a copy in each design's
    response = alice_api.delete(f"/api/v1/projects/{project['id']}/")
    assert response.status_code == 204
    assert set(_files()) == before
    assert not Project.objects.exists() and not ProjectPhoto.objects.exists() and not Design.objects.exists()
    assert quota_status(requester=Requester(user=alice, guest_key="", ip=""))["used"] == 0
