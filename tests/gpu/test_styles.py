from __future__ import annotations

import re

from gpu.styles import ROOM_TYPES, STYLES, catalog, suggest_room_type

REQUIRED_STYLES = {
    "modern", "scandinavian", "boho", "industrial", "minimalist", "mid_century_modern", "japandi", "coastal",
    "farmhouse", "traditional", "art_deco", "rustic", "contemporary", "mediterranean", "french_country", "tropical",
}
REQUIRED_ROOMS = {
    "living_room", "bedroom", "kitchen", "bathroom", "dining_room", "home_office", "kids_room", "basement", "attic",
    "gaming_room", "hallway", "patio",
}
HEX = re.compile(r"#[0-9A-Fa-f]{6}")
# Words that would ask the model to change the architecture the product promises to keep.
ARCHITECTURE = re.compile(r"\b(windows?|doors?|high ceilings?|fireplace|open floor plan|staircase)\b")


def test_it_has_the_promised_styles_and_rooms():
    assert REQUIRED_STYLES <= set(STYLES)
    assert REQUIRED_ROOMS <= set(ROOM_TYPES)


def test_it_keys_each_entry_by_its_own_code():
    assert all(code == style.code for code, style in STYLES.items())
    assert all(code == room.code for code, room in ROOM_TYPES.items())
    assert all(re.fullmatch(r"[a-z_]+", code) for code in [*STYLES, *ROOM_TYPES])


def test_it_describes_every_style_for_people_and_for_the_model():
    for style in STYLES.values():
        assert style.name and style.description.endswith("."), style.code
        assert len(style.keywords) >= 2 and len(style.details) >= 3, style.code
        assert 3 <= len(style.swatch) <= 5 and all(HEX.fullmatch(c) for c in style.swatch), style.code


def test_it_never_asks_for_new_architecture():
    for style in STYLES.values():
        for words in (*style.keywords, *style.details):
            assert not ARCHITECTURE.search(words), (style.code, words)


def test_it_describes_every_room():
    for room in ROOM_TYPES.values():
        assert room.name and room.description.endswith(".") and room.prompt, room.code


def test_it_serves_a_catalog_without_prompt_internals():
    data = catalog()
    assert [s["code"] for s in data["styles"]] == list(STYLES)
    assert [r["code"] for r in data["room_types"]] == list(ROOM_TYPES)
    assert set(data["styles"][0]) == {"code", "name", "description", "swatch"}
    assert set(data["room_types"][0]) == {"code", "name", "description"}
    assert isinstance(data["styles"][0]["swatch"], list)


def test_it_suggests_a_room_from_detected_objects():
    assert suggest_room_type(["bed", "tv", "chair"]) == "bedroom"
    assert suggest_room_type(["sink", "toilet"]) == "bathroom"
    assert suggest_room_type(["sink", "oven", "dining table"]) == "kitchen"
    assert suggest_room_type(["bed", "teddy bear"]) == "kids_room"
    assert suggest_room_type(["couch", "tv", "laptop"]) == "living_room"


def test_it_suggests_nothing_without_telltale_objects():
    assert suggest_room_type([]) is None
    assert suggest_room_type(["chair", "potted plant", "cat"]) is None
