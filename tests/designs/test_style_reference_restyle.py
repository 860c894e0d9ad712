""""Try another style" and `source` keep the look a design was made with: its reference photo comes along, into
the new design's own folder."""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from designs.models import Design
from tests.designs.conftest import photo_bytes, reference_upload, submit, upload

pytestmark = pytest.mark.django_db


def _stored(design: Design) -> Image.Image:
    with default_storage.open(design.reference.name, "rb") as stored:
        image = Image.open(stored)
        image.load()
    return image


def test_it_carries_the_reference_to_another_style(alice, alice_api, client):
    first = Design.objects.get(pk=submit(alice_api, style_reference=reference_upload()).json()["id"])
    client.force_login(alice)

    response = client.post(f"/designs/{first.pk}/restyle/", {"style": "boho"})
    second = Design.objects.exclude(pk=first.pk).get()
    assert response.status_code == 302 and second.style == "boho"
    assert second.reference.name == f"{second.storage_prefix}/reference.jpg"
    assert _stored(second).size == (600, 400) and _stored(second).getpixel((500, 200))[0] > 150  # the same look

    third = alice_api.post("/api/v1/designs/", {"source": str(first.pk)}, format="multipart")  # no style given
    assert third.status_code == 202, third.content
    third = Design.objects.get(pk=third.json()["id"])
    assert third.style == first.style and third.reference.name.startswith(third.storage_prefix)


def test_it_takes_a_new_reference_over_the_source_one(alice_api):
    first = Design.objects.get(pk=submit(alice_api, style_reference=reference_upload()).json()["id"])
    response = alice_api.post("/api/v1/designs/", {"source": str(first.pk), "style_reference": upload(photo_bytes())},
                              format="multipart")
    second = Design.objects.get(pk=response.json()["id"])
    assert _stored(first).size == (600, 400)
    assert _stored(second).size == Image.open(io.BytesIO(photo_bytes())).size  # the new one, not the source's
