"""Staff see a design's photo and results in the admin's list and detail page, through signed file URLs."""
from __future__ import annotations

import re

import pytest

from designs.files import file_save
from designs.models import Status
from tests.dashboard.conftest import jpeg, make_design

pytestmark = pytest.mark.django_db


def _images(html: str) -> dict[str, str]:
    return {alt: src.replace("&amp;", "&") for src, alt in re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)}


def _fetch(admin_client, url: str) -> bytes:
    response = admin_client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] in ("image/jpeg", "image/png")
    return b"".join(response.streaming_content)


def test_it_shows_before_and_after_thumbnails_in_the_list(admin_client, alice):
    design = make_design(owner=alice, status=Status.COMPLETED, results=2)

    images = _images(admin_client.get("/admin/designs/design/").text)

    assert set(images) - {"Search"} == {"original photo", "variation 1"}  # one result in the list, kept small
    assert _fetch(admin_client, images["original photo"]) == design.original.open("rb").read()
    assert _fetch(admin_client, images["variation 1"]) == design.results.get(index=0).thumbnail.open("rb").read()


def test_it_shows_the_photo_every_result_and_the_control_maps_on_the_detail_page(admin_client, alice):
    design = make_design(owner=alice, status=Status.COMPLETED, results=2)
    design.maps = {"depth": file_save(f"{design.storage_prefix}/depth-a1.png", jpeg((64, 48)))}
    design.save(update_fields=["maps"])

    images = _images(admin_client.get(f"/admin/designs/design/{design.pk}/change/").text)

    assert {"original photo", "variation 1", "variation 2", "depth map"} <= set(images)
    for alt in ("original photo", "variation 2", "depth map"):
        assert _fetch(admin_client, images[alt])
    assert design.storage_prefix not in images["original photo"]  # signed, not the private storage key
