"""Staff find projects in the admin: the list, a project's photos and designs inline, and links both ways."""
from __future__ import annotations

from designs.models import Design
from tests.projects.conftest import create_project


def test_it_links_projects_and_their_designs_both_ways(admin_client, alice_api):
    project = create_project(alice_api, count=2).json()
    listing = admin_client.get("/admin/projects/project/")
    assert listing.status_code == 200 and "Our flat" in listing.text

    page = admin_client.get(f"/admin/projects/project/{project['id']}/change/")
    assert page.status_code == 200
    for photo in project["photos"]:  # each design inline, linked to its own admin page
        assert f"/admin/designs/design/{photo['design']['id']}/change/" in page.text
    assert page.text.count('alt="photo ') == 2

    design = Design.objects.get(pk=project["photos"][0]["design"]["id"])
    back = admin_client.get(f"/admin/designs/design/{design.pk}/change/")
    assert back.status_code == 200
    assert f"/admin/projects/project/{project['id']}/change/" in back.text
