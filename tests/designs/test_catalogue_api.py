from __future__ import annotations

from gpu.styles import ROOM_TYPES, STYLES


def test_it_lists_every_style_and_room_type_with_swatch_and_description(api):
    body = api.get("/api/v1/styles/").json()
    assert [s["code"] for s in body["styles"]] == list(STYLES)
    assert [r["code"] for r in body["room_types"]] == list(ROOM_TYPES)
    assert len(body["styles"]) >= 30 and len(body["room_types"]) >= 25
    for style in body["styles"]:
        assert style["swatch"] == list(STYLES[style["code"]].swatch) and style["description"], style["code"]
    for room in body["room_types"]:
        assert room["description"] == ROOM_TYPES[room["code"]].description, room["code"]
    assert {"facade", "garden", "patio", "balcony"} <= {r["code"] for r in body["room_types"]}
