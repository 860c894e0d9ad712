""""Try another style": a new design from the same stored photo, through design_create's checks and quota."""
from __future__ import annotations

import pytest
from django.http import Http404

from accounts.requester import Requester
from billing.selectors import quota_status
from core.errors import ApiError
from designs.models import Design, Status
from designs.services import design_restyle
from tests.dashboard.conftest import make_design


def _requester(user) -> Requester:
    return Requester(user=user, guest_key="", ip="127.0.0.1")


def test_it_restyles_the_same_photo_keeping_the_other_choices(alice):
    source = make_design(owner=alice, status=Status.COMPLETED, results=1, room_type="bedroom", variations=2,
                         preferences={"wall_color": "sage green", "creativity": 0.3})
    design = design_restyle(requester=_requester(alice), source=source, params={"style": "boho"})
    assert design.pk != source.pk and design.owner == alice and design.status == Status.QUEUED
    assert design.style == "boho" and design.room_type == "bedroom" and design.variations == 2
    assert design.preferences == {"wall_color": "sage green", "creativity": 0.3}
    assert (design.original_width, design.original_height) == (640, 480)
    assert design.original.name != source.original.name  # its own copy: deleting one keeps the other
    assert quota_status(requester=_requester(alice))["used"] == 2


def test_it_counts_against_the_quota_like_any_design(alice):
    source = make_design(owner=alice, status=Status.COMPLETED, results=1)
    for _ in range(5):  # the free plan's daily limit
        design_restyle(requester=_requester(alice), source=source, params={"style": "boho"})
    with pytest.raises(ApiError) as raised:
        design_restyle(requester=_requester(alice), source=source, params={"style": "rustic"})
    assert raised.value.error_code == "quota_exceeded"
    assert Design.objects.filter(owner=alice).count() == 6


def test_it_refuses_someone_elses_design(alice, bob):
    source = make_design(owner=bob, status=Status.COMPLETED, results=1)
    with pytest.raises(Http404):
        design_restyle(requester=_requester(alice), source=source, params={"style": "boho"})


def test_the_page_opens_the_new_design(alice_client, alice):
    source = make_design(owner=alice, status=Status.COMPLETED, results=1)
    response = alice_client.post(f"/designs/{source.id}/restyle/", {"style": "coastal"})
    design = Design.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/designs/{design.id}/"
    assert design.style == "coastal"


def test_the_page_says_why_it_could_not(alice_client, alice):
    source = make_design(owner=alice, status=Status.COMPLETED, results=1, variations=4)  # over the free plan
    response = alice_client.post(f"/designs/{source.id}/restyle/", {"style": "coastal"}, follow=True)
    assert "Your plan allows up to 2 variations" in response.content.decode()
    assert alice_client.post(f"/designs/{source.id}/restyle/", {"style": "nope"}, follow=True).status_code == 200
    assert Design.objects.count() == 1
