from __future__ import annotations

import json

from django.test import override_settings


def test_it_answers_health_without_dependencies(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_is_ready_when_everything_answers(client, db):
    response = client.get("/ready/")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == ["database", "redis", "storage", "gpu_engines"]


@override_settings(REDIS_URL="redis://127.0.0.1:9/0")
def test_it_names_what_failed(client, db):
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["failed"] == ["redis"]


def test_it_answers_unknown_api_paths_in_the_error_shape(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_answers_an_unexpected_api_error_in_the_error_shape(rf):
    from core.health import server_error

    response = server_error(rf.get("/api/v1/designs/"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"
