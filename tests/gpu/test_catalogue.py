"""The catalogue (issue 16 item 5): at least 30 styles and 25 room types, exteriors included, each complete."""
from __future__ import annotations

import re

from gpu.detection import looks_like_room
from gpu.prompts import OUTDOOR_QUALITY_WORDS, QUALITY_WORDS, build_prompts
from gpu.styles import ROOM_TYPES, STYLES
from gpu.types import Detection

HEX = re.compile(r"#[0-9A-Fa-f]{6}")
EXTERIORS = {"facade", "garden", "patio", "balcony"}


def test_it_has_thirty_styles_and_twenty_five_room_types_with_the_exteriors():
    assert len(STYLES) >= 30
    assert len(ROOM_TYPES) >= 25
    assert {code for code, room in ROOM_TYPES.items() if room.outdoor} == EXTERIORS


def test_it_gives_every_style_its_swatch_description_and_prompt_wording():
    for style in STYLES.values():
        assert 3 <= len(style.swatch) <= 5 and all(HEX.fullmatch(c) for c in style.swatch), style.code
        assert len(set(style.swatch)) == len(style.swatch), style.code
        assert style.name and len(style.description) > 20 and style.description.endswith("."), style.code
        positive, _ = build_prompts(style=style.code, room_type="bedroom")
        assert positive.startswith(f"photo of a bedroom, {', '.join(style.keywords)}"), style.code
        assert style.details[0] in positive, style.code


def test_it_gives_every_room_type_its_description_and_prompt_wording():
    for room in ROOM_TYPES.values():
        assert room.name and len(room.description) > 15 and room.description.endswith("."), room.code
        positive, _ = build_prompts(style="modern", room_type=room.code)
        assert positive.startswith(f"photo of a {room.prompt}, "), room.code


def test_it_words_an_exterior_as_outdoors_and_an_interior_as_before():
    for code in EXTERIORS:
        positive, negative = build_prompts(style="boho", room_type=code)
        assert ROOM_TYPES[code].details[0] in positive, code
        assert OUTDOOR_QUALITY_WORDS[0] in positive and QUALITY_WORDS[0] not in positive, code
        assert not any(detail in positive for detail in STYLES["boho"].details), code  # rugs, floor cushions
        assert "indoor room" in negative
    positive, negative = build_prompts(style="boho", room_type="living_room")
    assert STYLES["boho"].details[0] in positive and QUALITY_WORDS[0] in positive
    assert "indoor room" not in negative


def test_it_keeps_a_facade_with_a_car_in_front_but_not_a_living_room():
    # A parked car filling half the frame: a street photo when a room was asked for, normal in front of a house.
    car = [Detection(label="car", box=(0, 200, 640, 480), confidence=0.9)]
    assert looks_like_room(car, (640, 480), outdoor=True)
    assert not looks_like_room(car, (640, 480))
    portrait = [Detection(label="person", box=(100, 0, 540, 480), confidence=0.9)]
    assert not looks_like_room(portrait, (640, 480), outdoor=True)
