from __future__ import annotations

import re

import pytest

from gpu.prompts import (
    MAX_TOKENS,
    MAX_WISH_CHARS,
    NEGATIVE_STRUCTURE,
    QUALITY_WORDS,
    build_prompts,
    clean_wish,
    clip_tokenizer,
    conservative_count,
    count_tokens,
    split_wish,
)
from gpu.styles import ROOM_TYPES, STYLES

EVERYTHING = {
    "color_palette": ["#9caf88", "#f3e9d2", "#1f2f4f", "#c4663f", "#d4a72c"],
    "wall_color": "warm white with a hint of grey",
    "flooring": "wide plank european white oak herringbone",
    "wish": "a big comfortable sectional sofa facing the window, " * 6,
}


class WordTokenizer:
    """Stands in for a CLIPTokenizer with a small window: one token per word or comma, plus two markers."""

    def __init__(self, model_max_length: int) -> None:
        self.model_max_length = model_max_length

    def __call__(self, text: str, **kwargs) -> dict:
        return {"input_ids": [0] * (2 + len(re.findall(r"[^\s,]+|,", text)))}


@pytest.mark.parametrize("style", STYLES)
def test_it_keeps_every_style_and_room_within_the_window(style):
    for room in [None, *ROOM_TYPES]:
        positive, negative = build_prompts(style=style, room_type=room)
        assert count_tokens(positive) <= MAX_TOKENS and count_tokens(negative) <= MAX_TOKENS
        assert all(keyword in positive for keyword in STYLES[style].keywords), (style, room)
        if room:
            assert ROOM_TYPES[room].prompt in positive


@pytest.mark.parametrize("style", STYLES)
def test_it_keeps_the_style_words_when_every_preference_is_set(style):
    positive, negative = build_prompts(style=style, room_type="living_room", **EVERYTHING)
    assert count_tokens(positive) <= MAX_TOKENS and count_tokens(negative) <= MAX_TOKENS
    assert positive.startswith("photo of a living room, " + ", ".join(STYLES[style].keywords))
    assert "sage green" in positive


def test_it_adds_details_and_quality_words_when_there_is_room():
    positive, _ = build_prompts(style="japandi", room_type="bedroom")
    assert STYLES["japandi"].details[0] in positive
    assert QUALITY_WORDS[0] in positive


def test_it_puts_the_pieces_in_priority_order():
    positive, _ = build_prompts(style="boho", room_type="bedroom", color_palette=["#9caf88"], wall_color="#ffffff",
                                flooring="cork", wish="hanging chair")
    order = ["photo of a bedroom", "bohemian", "sage green color scheme", "white walls", "cork flooring",
             "hanging chair", STYLES["boho"].details[0]]
    positions = [positive.index(piece) for piece in order]
    assert positions == sorted(positions)


def test_it_drops_lower_priority_pieces_whole_before_touching_the_style():
    # The table's own teal: this test is about what is dropped first, not about naming a colour between two names.
    positive, _ = build_prompts(style="coastal", room_type="kitchen", color_palette=["#1f6f73", "#ffffff"],
                                wish="bright and airy", tokenizer=WordTokenizer(model_max_length=22))
    assert positive.startswith("photo of a kitchen, coastal interior design, beach house style")
    assert "teal color scheme" in positive  # the palette outranks the wish, its first colour the rest
    assert "bright" not in positive and QUALITY_WORDS[0] not in positive
    assert len(WordTokenizer(22)(positive)["input_ids"]) <= 22


def test_it_keeps_the_first_keyword_even_in_a_tiny_window():
    positive, _ = build_prompts(style="industrial", room_type=None, tokenizer=WordTokenizer(model_max_length=4))
    assert positive == "photo of a room, industrial loft interior"


def test_it_shortens_a_long_wish_at_a_word_boundary():
    wish = " ".join(f"word{i}" for i in range(60))
    positive, _ = build_prompts(style="modern", room_type="bedroom", wish=wish)
    kept = re.search(r"(word0 .*word\d+)", positive).group(1)
    assert wish.startswith(kept + " ") and count_tokens(positive) <= MAX_TOKENS


def test_it_names_palette_colours_in_words():
    # Shorthand, bare and repeated codes; each colour plainly one of the table's (#aabbcc, a greyish blue, was not).
    positive, _ = build_prompts(style="modern", room_type=None, color_palette=["#000", "fff", "#9CAF88", "#9caf88"])
    assert "black, white and sage green color scheme" in positive


def test_it_takes_a_lone_palette_string_as_one_colour():
    positive, _ = build_prompts(style="modern", room_type=None, color_palette="#9caf88")
    assert "sage green color scheme" in positive


@pytest.mark.parametrize("bad", ["#ggg", "#12345", "light blue"])
def test_it_rejects_an_odd_palette_colour_naming_it(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        build_prompts(style="modern", room_type=None, color_palette=["#ffffff", bad])


def test_it_takes_a_wall_colour_as_hex_or_words():
    assert "sage green walls" in build_prompts(style="modern", room_type=None, wall_color="#9CAF88")[0]
    assert "sage green walls" in build_prompts(style="modern", room_type=None, wall_color="9caf88")[0]
    assert "warm_white" not in build_prompts(style="modern", room_type=None, wall_color="warm_white")[0]
    assert "warm white walls" in build_prompts(style="modern", room_type=None, wall_color="Warm White!")[0]
    assert "exposed brick wall," in build_prompts(style="modern", room_type=None, wall_color="exposed brick wall")[0]


def test_it_rejects_a_wall_colour_it_cannot_read():
    with pytest.raises(ValueError, match="#12"):
        build_prompts(style="modern", room_type=None, wall_color="#12")
    with pytest.raises(ValueError, match="wall colour"):
        build_prompts(style="modern", room_type=None, wall_color="!!! 42")


def test_it_lets_the_users_walls_and_floor_win_over_the_styles():
    positive, _ = build_prompts(style="scandinavian", room_type="bedroom")
    assert "white walls" in positive and "pale wood floor" in positive
    positive, _ = build_prompts(style="scandinavian", room_type="bedroom", wall_color="navy", flooring="grey carpet")
    assert "white walls" not in positive and "pale wood floor" not in positive
    assert "navy walls" in positive and "grey carpet flooring" in positive


def test_it_rejects_unknown_styles_and_rooms():
    with pytest.raises(ValueError, match="unknown style 'gothic'"):
        build_prompts(style="gothic", room_type=None)
    with pytest.raises(ValueError, match="unknown room type 'garage'"):
        build_prompts(style="modern", room_type="garage")


def test_it_cleans_the_wish():
    text = "  (((gold))) [velvet sofa:1.4] <lora:foo:0.8> sofa++ see https://x.example/a?b=c\x00\x07 \n\t now 🌿 BREAK "
    assert clean_wish(text) == "gold velvet sofa sofa see now"
    assert clean_wish("a\u200bb  c\r\nd") == "a b c d"
    assert clean_wish(None) == ""


def test_it_caps_the_wish_length_at_a_word_boundary():
    cleaned = clean_wish("cozy " * 100)
    assert len(cleaned) <= MAX_WISH_CHARS and cleaned.endswith("cozy")
    assert len(clean_wish("x" * 500)) == MAX_WISH_CHARS


def test_it_moves_what_the_user_does_not_want_to_the_negative_prompt():
    assert split_wish("more plants and no rug, without a TV") == ("more plants", ["rug", "TV"])
    assert split_wish("a cozy nook with no clutter") == ("a cozy nook", ["clutter"])
    assert split_wish("red and white tiles") == ("red and white tiles", [])
    positive, negative = build_prompts(style="modern", room_type=None, wish="big plants, no rug")
    assert "big plants" in positive and "rug" not in positive
    assert negative.startswith(", ".join(NEGATIVE_STRUCTURE) + ", rug, ")


def test_it_builds_a_negative_prompt_from_defaults_and_the_style():
    _, negative = build_prompts(style="minimalist", room_type="bedroom")
    for words in ("distorted walls", "warped perspective", "extra windows", "blurry", "watermark", "people",
                  "busy patterns"):
        assert words in negative
    assert count_tokens(negative) <= MAX_TOKENS


def test_it_tokenizes_exactly_like_openais_clip():
    # Ids from OpenAI's own tokenizer (open_clip.SimpleTokenizer) for the same text.
    text = "a photo of a Scandinavian living room, light oak floor, #abc 1.5 :) Café naïve 日本"
    expected = [49406, 320, 1125, 539, 320, 35661, 2815, 1530, 267, 1395, 7221, 4125, 267, 258, 5334, 272, 269,
                276, 1408, 15304, 1097, 35689, 563, 39121, 19277, 361, 49407]
    assert clip_tokenizer()(text)["input_ids"] == expected
    assert count_tokens(text) == len(expected)


def test_it_never_undercounts_without_the_vocabulary():
    samples = [build_prompts(style=code, room_type="kids_room", **EVERYTHING)[0] for code in STYLES]
    samples += ["xqzjv wpfk", "日本語のテキスト", "a,b,,c!!?", "3.1415 9000"]
    assert all(conservative_count(text) >= count_tokens(text) for text in samples)
