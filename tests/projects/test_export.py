"""A person's data export holds their projects: choices, seed, photos (in the ZIP) and which designs they made."""
from __future__ import annotations

import io
import json
import zipfile

from accounts.export_zip import zip_write
from accounts.models import DataExport
from projects.models import ProjectPhoto
from tests.projects.conftest import create_project


def test_it_exports_projects_with_their_photos(alice, alice_api):
    project = create_project(alice_api, count=2).json()
    buffer = io.BytesIO()
    zip_write(buffer, user=alice, export=DataExport.objects.create(user=alice))
    archive = zipfile.ZipFile(buffer)
    [exported] = json.loads(archive.read("restyle-data.json"))["projects"]

    assert exported["id"] == project["id"] and exported["seed"] == project["seed"]
    assert exported["choices"]["flooring"] == "light oak" and exported["style"] == "japandi"
    for photo, shown in zip(exported["photos"], project["photos"], strict=True):
        assert [design["id"] for design in photo["designs"]] == [shown["design"]["id"]]
        with ProjectPhoto.objects.get(pk=photo["id"]).original.open("rb") as stored:
            assert archive.read(photo["original"]) == stored.read()
