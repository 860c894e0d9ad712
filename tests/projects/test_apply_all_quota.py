"""Apply to all: a new design of every photo with the new choices; the quota for all of them is taken together,
or, when it does not cover them all, none is created and nothing is counted."""
from __future__ import annotations

from django.conf import settings

from accounts.requester import Requester
from billing.selectors import quota_status
from billing.services import quota_grant
from designs.models import Design
from tests.conftest import assert_error
from tests.projects.conftest import create_project


def _files() -> set[str]:
    return {str(path.relative_to(settings.MEDIA_ROOT)) for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()}


def test_it_applies_new_choices_to_every_photo_or_to_none(alice, alice_api):
    project = create_project(alice_api, count=3).json()  # the free plan's 5 a day: 3 used, 2 left
    before = _files()
    used = quota_status(requester=Requester(user=alice, guest_key="", ip=""))["used"]
    assert used == 3

    response = alice_api.post(f"/api/v1/projects/{project['id']}/apply/", {"style": "industrial"}, format="json")
    assert_error(response, 429, "quota_exceeded")
    assert Design.objects.filter(owner=alice).count() == 3  # not two of three
    assert quota_status(requester=Requester(user=alice, guest_key="", ip=""))["used"] == 3
    assert _files() == before  # no photo copy of a rolled-back design left behind

    quota_grant(units=1, user=alice, note="test")  # now 3 left: enough for all three
    response = alice_api.post(f"/api/v1/projects/{project['id']}/apply/", {"style": "industrial"}, format="json")
    assert response.status_code == 202, response.content
    state = response.json()
    assert Design.objects.filter(owner=alice).count() == 6
    for photo in state["photos"]:
        assert photo["designs_count"] == 2
        assert photo["design"]["style"] == "industrial"  # the latest design is the one shown
        assert photo["design"]["preferences"]["seed"] == project["seed"]
    assert state["style"] == "industrial" and state["reference_url"] is None  # a new look: a new leader
