"""Staff see a design's style reference photo on its admin page, through a signed file URL."""
from __future__ import annotations

import re

import pytest

from designs.files import file_save
from designs.models import Status
from tests.dashboard.conftest import jpeg, make_design

pytestmark = pytest.mark.django_db


def test_it_shows_the_reference_photo_beside_the_before_and_after(admin_client, alice):
    design = make_design(owner=alice, status=Status.COMPLETED, results=1)
    design.reference.name = file_save(f"{design.storage_prefix}/reference.jpg", jpeg((400, 300), "#aa3322"))
    design.save(update_fields=["reference"])

    html = admin_client.get(f"/admin/designs/design/{design.pk}/change/").text
    images = {alt: src.replace("&amp;", "&") for src, alt in re.findall(r'<img src="([^"]+)" alt="([^"]+)"', html)}

    response = admin_client.get(images["style reference photo"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == design.reference.open("rb").read()
    assert design.storage_prefix not in images["style reference photo"]  # signed, not the private storage key
