from __future__ import annotations

import pytest

from gpu.colors import COLOR_NAMES, STANDARD_SHADES, InvalidPreference, color_name, looks_like_hex, normalize_hex
from gpu.errors import InvalidRequest


@pytest.mark.parametrize(
    "value, expected",
    [("#a3b18a", "#a3b18a"), ("#ABC", "#aabbcc"), ("abc", "#aabbcc"), ("A3B18A", "#a3b18a"), ("  #fff ", "#ffffff")],
)
def test_it_normalizes_hex_in_all_the_usual_spellings(value, expected):
    assert normalize_hex(value) == expected


@pytest.mark.parametrize("value", ["#zzz", "#abcd", "#1234567", "", "#", "red", "rgb(1,2,3)", None, 0xFFFFFF])
def test_it_rejects_what_is_not_a_hex_colour_naming_the_value(value):
    with pytest.raises(ValueError) as caught:
        normalize_hex(value)
    assert repr(value) in str(caught.value)


def test_it_raises_an_error_the_pipeline_reports_as_invalid_input():
    with pytest.raises(InvalidRequest) as caught:
        normalize_hex("#nope")
    assert isinstance(caught.value, InvalidPreference) and caught.value.code == "invalid_request"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("#9caf88", "sage green"), ("#ffffff", "white"), ("#000000", "black"), ("#000080", "navy blue"),
        ("#0000ff", "royal blue"), ("#ff0000", "red"), ("#808080", "gray"), ("#c0c0c0", "silver gray"),
        ("#ffa500", "orange"), ("#e2725b", "terracotta"), ("#1f2f4f", "navy blue"), ("#FFF", "white"),
        ("#14145a", "midnight blue"), ("#f07f6a", "coral"),
    ],
)
def test_it_names_colours_as_people_would(value, expected):
    assert color_name(value) == expected


def test_it_names_every_table_colour_by_its_own_name():
    assert all(color_name(value) == name for name, value in COLOR_NAMES.items())
    assert all(color_name(shade) == name for name, shades in STANDARD_SHADES.items() for shade in shades)


def test_it_tells_hex_codes_from_colour_words():
    assert looks_like_hex("#abc") and looks_like_hex("a3b18a")
    assert not looks_like_hex("bed") and not looks_like_hex("sage")
