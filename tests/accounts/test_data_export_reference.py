"""The data export carries a design's style reference photo: the file in the ZIP, its path in the JSON."""
from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import urlsplit

from django.core.files.storage import default_storage

from designs.models import Design
from tests.accounts.conftest import export_ready
from tests.designs.conftest import reference_upload, submit


def test_it_exports_the_reference_photo_of_a_design(worker, alice, alice_api, client):
    with_reference = submit(alice_api, style_reference=reference_upload()).json()["id"]
    without = submit(alice_api).json()["id"]

    state = export_ready(alice_api)
    client.force_login(alice)
    response = client.get(urlsplit(state["download_url"]).path)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = {row["id"]: row for row in json.loads(archive.read("restyle-data.json"))["designs"]}

    path = f"designs/{with_reference}/reference.jpg"
    assert data[with_reference]["style_reference"] == path
    with default_storage.open(Design.objects.get(pk=with_reference).reference.name, "rb") as stored:
        assert archive.read(path) == stored.read()
    assert data[without]["style_reference"] is None
    assert "reference.jpg" in archive.read("README.txt").decode()
