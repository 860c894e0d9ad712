"""A design in the look of a reference photo, through the whole stack: API upload → stored privately in the design's
folder → real worker (tiny) → the adapter ran → the design's page shows it → deleting the design deletes it."""
from __future__ import annotations

import re

from django.core.files.storage import default_storage
from PIL import Image

from designs.models import Design
from tests.designs.conftest import photo_bytes, reference_upload, submit, upload, wait_for


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_it_makes_a_design_in_the_look_of_a_reference_photo_and_deletes_the_photo_with_it(worker, alice_api,
                                                                                          alice, client):
    response = submit(alice_api, style="", style_reference=reference_upload(), seed="11")  # no named style
    assert response.status_code == 202, response.content
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]

    design = Design.objects.get(pk=state["id"])
    assert design.reference.name == f"{design.storage_prefix}/reference.jpg"
    with default_storage.open(design.reference.name, "rb") as stored:
        kept = Image.open(stored)
        assert kept.format == "JPEG" and kept.size == (600, 400)
        assert kept.getpixel((500, 200))[0] > 150  # the photo given, re-encoded from its pixels
    assert state["style"] == "contemporary"  # the neutral wording: the look comes from the photo
    assert state["metadata"]["models"]["ip_adapter"] == "tiny"  # the pipeline received the reference
    assert _download(alice_api, state["style_reference_url"]) == design.reference.open("rb").read()
    assert alice_api.get("/api/v1/me/").json()["quota"]["used"] == 1

    client.force_login(alice)
    page = client.get(f"/designs/{design.pk}/").content.decode()
    [shown] = re.findall(r'src="([^"]+)" alt="Your style reference photo"', page)
    assert _download(client, shown.replace("&amp;", "&")) == design.reference.open("rb").read()

    assert alice_api.delete(f"/api/v1/designs/{design.pk}/").status_code == 204
    assert not default_storage.exists(design.reference.name)
    assert not default_storage.exists(design.original.name)


def test_it_keeps_designs_without_a_reference_as_they_were(worker, alice_api):
    state = wait_for(alice_api, submit(alice_api, image=upload(photo_bytes())).json()["id"])
    assert state["status"] == "completed", state["error"]
    assert state["style_reference_url"] is None and "ip_adapter" not in state["metadata"]["models"]
    assert not Design.objects.get(pk=state["id"]).reference
