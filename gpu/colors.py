"""Hex colours from the dashboard's pickers turned into words the text encoder understands.

The text encoder has never seen "#9caf88" paired with a sage-green room, but it
has seen "sage green" thousands of times, so each colour is named by the
nearest entry of a small table of interior-design colour names. "Nearest" is
measured in OKLab, where equal distances look roughly equally different to
people; in plain RGB a dark navy would sit closer to black than to blue, and in
CIELAB pure navy reads as purple.
"""
from __future__ import annotations

import re
from functools import cache

from gpu.errors import InvalidRequest


class InvalidPreference(InvalidRequest, ValueError):
    """A colour, style or other preference we cannot use. A ValueError too, so plain callers can catch it."""


# Names people use for rooms, each with a typical shade. Kept to words that read well both alone
# ("sage green color scheme") and before a noun ("sage green walls").
COLOR_NAMES: dict[str, str] = {
    "white": "#FFFFFF",
    "ivory": "#FFFFF0",
    "cream": "#F3E9D2",
    "beige": "#E1D3B8",
    "warm sand": "#D2BE9A",
    "tan": "#C8A680",
    "taupe": "#9F8C76",
    "warm gray": "#A9A39A",
    "light gray": "#D3D3D1",
    "cool gray": "#9EA3A8",
    "silver gray": "#BFBFBD",
    "gray": "#8E8E8C",
    "slate gray": "#5E6A71",
    "charcoal": "#36393B",
    "black": "#141414",
    "navy blue": "#1C2A5E",
    "midnight blue": "#14145A",
    "cobalt blue": "#1F4FA0",
    "royal blue": "#2C4FD6",
    "dusty blue": "#7A93AC",
    "sky blue": "#A8CBE5",
    "teal": "#1F6F73",
    "turquoise": "#3FBFB5",
    "mint green": "#B8E0C8",
    "sage green": "#9CAF88",
    "olive green": "#6B7035",
    "lime green": "#8DC63F",
    "kelly green": "#2E9E4F",
    "emerald green": "#1E7B53",
    "forest green": "#2D4A34",
    "butter yellow": "#F4E3A1",
    "sunny yellow": "#F2CC3A",
    "mustard yellow": "#D4A72C",
    "gold": "#C5A253",
    "peach": "#F5C6A5",
    "coral": "#F07F6A",
    "terracotta": "#C4663F",
    "orange": "#F28C28",
    "burnt orange": "#D2691E",
    "rust": "#A0441E",
    "brick red": "#9C3B2E",
    "red": "#C0262D",
    "burgundy": "#6D1F2E",
    "blush pink": "#F2C9C9",
    "dusty rose": "#C98F8F",
    "hot pink": "#E85A9C",
    "fuchsia": "#C2307A",
    "mauve": "#A7838F",
    "lavender": "#C9B8DD",
    "plum": "#5E3358",
    "royal purple": "#5B2D8C",
    "caramel": "#B07840",
    "walnut brown": "#5C4033",
    "chocolate brown": "#3D2A20",
}

# A few names also have a standard shade that people type as that name: HTML's navy and the pigment terra cotta.
# They count as the same name, so "#000080" is navy blue, as it is everywhere else.
STANDARD_SHADES: dict[str, tuple[str, ...]] = {
    "navy blue": ("#000080",),
    "terracotta": ("#E2725B",),
}

_HEX = re.compile(r"#?([0-9a-f]{3}|[0-9a-f]{6})")


def normalize_hex(value: str) -> str:
    """'#ABC', 'abc', '#aabbcc' or 'AABBCC' -> '#aabbcc'. Anything else is an InvalidPreference naming the value."""
    match = _HEX.fullmatch(value.strip().lower()) if isinstance(value, str) else None
    if not match:
        raise InvalidPreference(f"{value!r} is not a colour: use a hex code like #a3b18a or #abc")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return f"#{digits}"


def looks_like_hex(value: str) -> bool:
    """True for '#...' and for bare six-digit codes; bare three-letter words ('bed', 'fab') stay words."""
    text = value.strip().lower()
    return text.startswith("#") or re.fullmatch(r"[0-9a-f]{6}", text) is not None


def color_name(value: str) -> str:
    """The interior-design name nearest to a hex colour: color_name('#9caf88') == 'sage green'."""
    return _nearest_name(normalize_hex(value))


@cache
def _nearest_name(hex_color: str) -> str:
    target = _lab(hex_color)
    shades = [(name, shade) for name, value in COLOR_NAMES.items() for shade in (value, *STANDARD_SHADES.get(name, ()))]
    return min(shades, key=lambda item: _distance(target, _lab(item[1])))[0]


def _distance(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True))


@cache
def _lab(hex_color: str) -> tuple[float, float, float]:
    """sRGB hex -> OKLab (Björn Ottosson, 2020): like CIELAB, but blues do not drift towards purple."""
    rgb = [int(hex_color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb)
    l_ = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b) ** (1 / 3)
    m_ = (0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b) ** (1 / 3)
    s_ = (0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b) ** (1 / 3)
    return (
        0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
        1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
        0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_,
    )
