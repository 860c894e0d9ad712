"""The projects API: signed-in owners only, bad input in the documented error shape, and in the schema."""
from __future__ import annotations

from rest_framework.test import APIClient

from accounts.tokens import token_issue
from tests.conftest import assert_error
from tests.designs.conftest import upload
from tests.projects.conftest import create_project, photos


def test_it_refuses_a_project_without_photos_or_with_a_bad_one(alice_api):
    assert_error(alice_api.post("/api/v1/projects/", {"style": "japandi"}, format="multipart"), 400, "required",
                 "images")
    response = create_project(alice_api, count=1, images=[upload(), upload(b"not a photo", name="notes.jpg")])
    assert_error(response, 415, "unsupported_image_type", "images")
    assert_error(create_project(alice_api, style="baroque"), 400, field="style")


def test_it_shows_a_project_to_its_owner_only(alice_api, bob):
    project = create_project(alice_api, count=1).json()
    bob_api = APIClient()
    bob_api.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='test')}")
    assert_error(bob_api.get(f"/api/v1/projects/{project['id']}/"), 404)
    assert_error(bob_api.post(f"/api/v1/projects/{project['id']}/apply/", {"style": "boho"}, format="json"), 404)
    assert bob_api.get("/api/v1/projects/").json()["results"] == []
    assert_error(APIClient().get("/api/v1/projects/"), 401)
    listed = alice_api.get("/api/v1/projects/").json()["results"]
    assert [entry["id"] for entry in listed] == [project["id"]] and listed[0]["photos"] == 1


def test_it_documents_the_projects_api(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"/api/v1/projects/", "/api/v1/projects/{project_id}/", "/api/v1/projects/{project_id}/apply/",
            "/api/v1/projects/{project_id}/photos/",
            "/api/v1/projects/{project_id}/photos/{photo_id}/reroll/"} <= set(paths)
    create = paths["/api/v1/projects/"]["post"]
    body = create["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"images", "style", "flooring", "prompt"} <= set(schema["components"]["schemas"][body]["properties"])
    assert "429" in create["responses"]


def test_it_gives_each_photo_its_own_room_type_when_asked(alice_api):
    project = create_project(alice_api, count=2, room_type="living_room", room_types=["bedroom", ""]).json()
    first, second = project["photos"]
    assert first["room_type"] == "bedroom" and first["design"]["room_type"] == "bedroom"
    assert second["room_type"] is None and second["design"]["room_type"] == "living_room"  # the project's
    response = alice_api.post(f"/api/v1/projects/{project['id']}/photos/",
                              {"images": photos(1), "room_types": ["kitchen"]}, format="multipart")
    assert response.status_code == 202, response.content
    assert response.json()["photos"][2]["design"]["room_type"] == "kitchen"
    assert_error(create_project(alice_api, count=1, room_types=["bedroom", "kitchen"]), 400, field="room_types")
