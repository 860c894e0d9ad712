"""`source` instead of `image`: a new design (here an edit) from the photo of one of the caller's designs, as the
design page's "Edit an area of this photo" sends it; someone else's design is a 404."""
from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from designs.models import Design, Status
from tests.conftest import assert_error
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


def _mask(size=(640, 480)) -> SimpleUploadedFile:
    mask = np.zeros((size[1], size[0]), np.uint8)
    mask[100:300, 200:400] = 255
    buffer = io.BytesIO()
    Image.fromarray(mask).save(buffer, "PNG")
    return SimpleUploadedFile("mask.png", buffer.getvalue(), content_type="image/png")


def _edit(client, source: Design):
    return client.post("/api/v1/designs/", {"source": str(source.pk), "mode": "edit", "style": "japandi",
                                            "prompt": "a green armchair", "mask": _mask()}, format="multipart")


def test_it_edits_the_photo_of_an_earlier_design(alice_api, alice):
    source = make_design(owner=alice, status=Status.COMPLETED)
    response = _edit(alice_api, source)
    assert response.status_code == 202, response.content
    design = Design.objects.get(pk=response.json()["id"])
    assert design.mode == "edit" and design.mask.name and design.preferences["prompt"] == "a green armchair"
    with design.original.open("rb") as new, source.original.open("rb") as old:
        assert Image.open(new).size == Image.open(old).size
    assert alice_api.get("/api/v1/me/").json()["quota"]["used"] == 1


def test_it_does_not_reveal_someone_elses_design(alice_api, bob):
    assert_error(_edit(alice_api, make_design(owner=bob, status=Status.COMPLETED)), 404)
    assert Design.objects.count() == 1
