"""The dashboard's new-project form refuses no photos, or a bad one among good ones, on the form itself: the
page shows the error and keeps what was typed, and nothing is created, stored or counted."""
from __future__ import annotations

import html

import pytest
from django.conf import settings

from accounts.requester import Requester
from billing.selectors import quota_status
from designs.models import Design
from projects.models import Project, ProjectPhoto
from tests.designs.conftest import upload
from tests.projects.conftest import photos


def _files() -> set:
    return {path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()}


@pytest.mark.parametrize("images, shown", [
    ([], "Attach at least one photo of the home."),
    ([*photos(1), upload(b"not a photo", name="notes.jpg")], "Photo 2: "),
], ids=["no photos", "a bad photo"])
def test_it_shows_the_error_on_the_form_and_creates_nothing(alice, client, images, shown):
    client.force_login(alice)
    before = _files()
    response = client.post("/projects/new/", {"name": "Our flat", "style": "japandi", "images": images})
    assert response.status_code == 200  # the form again, not a redirect to a project
    page = html.unescape(response.content.decode())
    assert 'class="messages"' in page and shown in page, page[page.find('class="messages"'):][:300]
    assert 'value="Our flat"' in page  # what was typed is kept
    assert not Project.objects.exists() and not ProjectPhoto.objects.exists() and not Design.objects.exists()
    assert quota_status(requester=Requester(user=alice, guest_key="", ip=""))["used"] == 0
    assert _files() == before
