"""The OpenAPI schema says what a generated client needs: the photo as binary, every state field typed, every
error status declared with the error component, Idempotency-Key, Location on each 202, token auth, examples."""
from __future__ import annotations

import pytest

from designs.models import Status
from designs.state import design_state
from tests.ops.conftest import stored_design


@pytest.fixture
def schema(client, db) -> dict:
    return client.get("/api/schema/?format=json").json()


def _resolve(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_it_uploads_the_photo_as_binary(schema):
    body = schema["paths"]["/api/v1/designs/"]["post"]["requestBody"]["content"]
    assert list(body) == ["multipart/form-data"]
    request = _resolve(schema, body["multipart/form-data"]["schema"]["$ref"])
    assert request["properties"]["image"] == {**request["properties"]["image"], "type": "string", "format": "binary"}
    assert "DesignCreate" not in schema["components"]["schemas"]  # requests and responses are split


def _ref(field: dict) -> str:
    return field.get("$ref") or field["allOf"][0]["$ref"]


def test_it_types_every_field_of_the_design_state(schema):
    state = schema["components"]["schemas"]["DesignState"]
    built = design_state(stored_design())  # what the API really answers, with a result
    assert set(state["properties"]) == set(built)
    assert set(state["required"]) == set(built)
    for name, field in state["properties"].items():
        assert field.get("type") or field.get("$ref") or field.get("allOf") or field.get("oneOf"), name
    assert _resolve(schema, _ref(state["properties"]["status"]))["enum"] == list(Status.values)
    assert set(_resolve(schema, state["properties"]["results"]["items"]["$ref"])["properties"]) == set(
        built["results"][0])
    metadata = _resolve(schema, _ref(state["properties"]["metadata"]))
    assert {"processing_time", "timings", "furniture", "gpu_seconds", "cost_usd", "backend", "models"} <= set(
        metadata["properties"])


def test_it_declares_every_error_with_the_error_component(schema):
    for path, method, operation in _operations(schema):
        statuses = {int(status) for status in operation["responses"]}
        assert {401, 403, 500} <= statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        component = "TransformError" if path.startswith("/transform/") else "Error"
        for status, response in operation["responses"].items():
            if int(status) >= 400 and not (path.startswith("/transform/") and status == "409"):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith(f"/{component}"), (method, path, status)
    create = schema["paths"]["/api/v1/designs/"]["post"]["responses"]
    assert {"400", "413", "415", "429", "503"} <= set(create)
    assert "Retry-After" in create["429"]["headers"]


def test_it_declares_location_on_every_202_and_the_idempotency_key(schema):
    accepted = [(path, op) for path, _method, op in _operations(schema) if "202" in op["responses"]]
    assert accepted
    for path, operation in accepted:
        assert operation["responses"]["202"]["headers"]["Location"]["schema"]["format"] == "uri", path
    create = schema["paths"]["/api/v1/designs/"]["post"]
    [key] = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert key["in"] == "header" and key["description"]


def test_it_declares_token_auth_and_examples(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/designs/"]["post"]["security"]
    create = schema["paths"]["/api/v1/designs/"]["post"]["responses"]["202"]["content"]["application/json"]
    assert create["examples"]
    state = schema["paths"]["/api/v1/designs/{design_id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert state["examples"]["Completed"]["value"]["status"] == "completed"


def test_it_answers_a_new_design_with_its_location(alice_api):
    from tests.designs.conftest import submit

    response = submit(alice_api)
    assert response.status_code == 202
    assert response["Location"] == response.json()["status_url"]
    assert response["Location"].endswith(f"/api/v1/designs/{response.json()['id']}/")
