from __future__ import annotations

import re


def test_it_serves_the_openapi_schema(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/me/"} <= set(paths)


def test_it_serves_the_docs_from_our_own_static_files(client, db):
    html = client.get("/api/docs/").content.decode()
    assert "swagger" in html.lower()
    external = [url for url in re.findall(r'(?:src|href)="([^"]+)"', html) if url.startswith(("http:", "https:", "//"))]
    assert external == []
