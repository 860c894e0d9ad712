"""The positive and negative prompts for one request, each within CLIP's 77-token window.

Stable Diffusion 1.5's text encoder reads 77 tokens (75 words' worth plus the
begin and end markers) and silently drops the rest, so a prompt that overflows
loses whatever came last. Instead of letting that happen, the prompt is built
from pieces in priority order and a piece that does not fit is shortened or
left out whole:

  1. the style's core words and the room type (always kept),
  2. the colour palette, the wall colour and the flooring the user chose,
  3. the user's own wish (shortened at a word boundary if need be),
  4. the style's secondary words, then generic quality words.

The pieces then appear in that same order in the text, because earlier tokens
weigh more in CLIP's embedding.
"""
from __future__ import annotations

import gzip
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from gpu.colors import InvalidPreference, color_name, looks_like_hex
from gpu.styles import ROOM_TYPES, STYLES, Style, for_room
from gpu.types import RestyleRequest

log = logging.getLogger(__name__)

MAX_TOKENS = 77  # CLIP's window, begin and end markers included
MAX_WISH_CHARS = 200
MAX_WORDS_CHARS = 40  # a wall colour or flooring given as words

QUALITY_WORDS = ("interior design photography", "photorealistic", "natural lighting", "highly detailed", "8k")
# For the outdoor room types (gpu.styles.RoomType.outdoor): a facade, a garden, a patio, a balcony.
OUTDOOR_QUALITY_WORDS = ("architectural exterior photography", "photorealistic", "natural daylight",
                         "highly detailed", "8k")

# The failures that break the product's promise (the same room, restyled) come first: they are the last
# to be dropped when the user's exclusions and the style's own negatives need room.
NEGATIVE_STRUCTURE = ("distorted walls", "warped perspective", "deformed furniture", "extra windows", "extra doors")
NEGATIVE_GENERIC = (
    "blurry", "low quality", "lowres", "jpeg artifacts", "text", "watermark", "logo", "people", "person",
    "cartoon", "drawing", "oversaturated", "bad proportions", "duplicate objects", "floating furniture",
    "noise", "cropped",
)

TokenCounter = Callable[[str], int]


@dataclass(frozen=True)
class _Piece:
    position: int  # where it goes in the text
    variants: tuple[str, ...]  # longest first, each no longer (in tokens) than the one before
    required: bool = False  # kept in its shortest form even when nothing fits


@dataclass(frozen=True)
class PromptChoices:
    """What the user chose that the prompt words: the one place a request's fields become prompt choices.

    A new choice that reaches the prompt is a field here, a line in `from_request`, and its use in the modes'
    builders below; callers pass this, not a list of keywords that repeats the request.
    """

    style: str
    room_type: str | None
    mode: str = "restyle"
    color_palette: Sequence[str] = ()
    wall_color: str | None = None
    flooring: str | None = None
    wish: str = ""

    @classmethod
    def from_request(cls, request: RestyleRequest, *, room_type: str | None) -> PromptChoices:
        """`room_type`: the request's, or the detected one when the request left it to the pipeline."""
        return cls(style=request.style, room_type=room_type, mode=request.mode,
                   color_palette=tuple(request.color_palette), wall_color=request.wall_color,
                   flooring=request.flooring, wish=request.prompt)


def prompts_for(choices: PromptChoices, *, tokenizer: Any = None) -> tuple[str, str]:
    """(positive, negative) for the choices' mode, each at most 77 CLIP tokens (see build_prompts)."""
    words = {"restyle": _restyle_pieces, "declutter": _declutter_pieces, "stage": _stage_pieces,
             "edit": _edit_pieces}[choices.mode]
    return words(choices, tokenizer)


def build_prompts(
    *,
    style: str,
    room_type: str | None,
    color_palette: Sequence[str] = (),
    wall_color: str | None = None,
    flooring: str | None = None,
    wish: str = "",
    tokenizer: Any = None,
) -> tuple[str, str]:
    """(positive, negative) prompts for Stable Diffusion 1.5, each at most 77 CLIP tokens.

    Pass the pipeline's CLIPTokenizer as `tokenizer` to count exactly what the
    text encoder will see; without it the CLIP vocabulary shipped with
    open_clip is used. Bad preferences raise InvalidPreference (a ValueError).
    The restyle mode's words, from keywords (a request goes through `prompts_for`).
    """
    choices = PromptChoices(style=style, room_type=room_type, color_palette=color_palette, wall_color=wall_color,
                            flooring=flooring, wish=wish)
    return _restyle_pieces(choices, tokenizer)


def _restyle_pieces(choices: PromptChoices, tokenizer: Any) -> tuple[str, str]:
    chosen = for_room(_style(choices.style), choices.room_type)
    room_phrase = _room_phrase(choices.room_type)
    wall = _wall_phrase(choices.wall_color) if choices.wall_color else None
    floor = _flooring_phrase(choices.flooring) if choices.flooring else None
    wanted, unwanted = split_wish(clean_wish(choices.wish))
    count, limit = _counter(tokenizer)

    pieces = [
        _Piece(0, _shrinking([room_phrase, *chosen.keywords], keep=2, joiner=", "), required=True),
        _Piece(1, _palette_variants(choices.color_palette)),
        _Piece(2, (wall,) if wall else ()),
        _Piece(3, (floor,) if floor else ()),
        _Piece(4, _word_prefixes(wanted)),
    ]
    details = [d for d in chosen.details if not _clashes(d, wall=bool(wall), floor=bool(floor))]
    pieces += [_Piece(10 + i, (word,)) for i, word in enumerate([*details, *_quality_words(choices.room_type)])]
    positive = _fit(pieces, count, limit)

    negative_words = [*NEGATIVE_STRUCTURE, *unwanted, *chosen.negative, *NEGATIVE_GENERIC]
    negative = _fit([_Piece(i, (word,)) for i, word in enumerate(_unique(negative_words))], count, limit)
    return positive, negative


def clean_wish(text: str) -> str:
    """The user's free text, made safe to put in a prompt.

    Prompt-weighting syntax ("((red))", "[sofa:1.4]", "<lora:x:1>", "sofa++")
    would let a user override the style, URLs and control characters carry no
    meaning for the model, and the length is capped before any tokenizing.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _ANSI.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _ANGLE.sub(" ", text)
    text = _WEIGHT.sub(" ", text)
    text = _EMPHASIS.sub("", text)
    text = _BREAK.sub(" ", text)
    text = "".join(ch if _allowed(ch) else " " for ch in text)
    text = re.sub(r"\s+", " ", text).strip(" ,.;:-'\"")
    return _cut_at_word(text, MAX_WISH_CHARS)


def split_wish(wish: str) -> tuple[str, list[str]]:
    """Move "no rug", "without plants", "avoid dark colors" to the negative prompt.

    CLIP does not understand negation: "no rug" in a prompt asks for a rug.
    Returns the wish without those phrases, and the things the user does not want.
    """
    keep: list[str] = []
    unwanted: list[str] = []
    for clause in _CLAUSE.split(wish):
        while clause:
            negation = _NEGATION.search(clause)
            if not negation:
                keep.append(clause)
                break
            keep.append(clause[: negation.start()])
            rest = clause[negation.end() :]
            stop = _STOP.search(rest)
            thing, clause = (rest[: stop.start()], rest[stop.end() :]) if stop else (rest, "")
            unwanted.append(_strip_article(" ".join(thing.split()[:4])))
    return ", ".join(filter(None, map(_trim, keep))), [item for item in unwanted if item]


def count_tokens(text: str, tokenizer: Any = None) -> int:
    """Tokens the text encoder sees for `text`, begin and end markers included."""
    count, _ = _counter(tokenizer)
    return count(text)


# --- the user's text ------------------------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")  # terminal colour codes pasted along with text
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S*", re.IGNORECASE)
_ANGLE = re.compile(r"<[^<>]*>")  # <lora:name:0.8>, <embedding>, stray HTML
_WEIGHT = re.compile(r":\s*-?\d+(?:\.\d*)?")  # the ":1.4" in "(sofa:1.4)"
_EMPHASIS = re.compile(r"(?<=\w)[+-]{2,}")  # compel's "sofa++", "rug--"
_BREAK = re.compile(r"\b(?:BREAK|AND)\b")  # A1111's chunk and composition keywords (upper case only)
_CLAUSE = re.compile(r"\s*[,.;!?]+\s*")
_NEGATION = re.compile(r"\b(?:no|not|without|avoid|remove|never|don'?t want|do not want)\b\s*", re.IGNORECASE)
_STOP = re.compile(r"\s*\b(?:and|but|with|so)\b\s*", re.IGNORECASE)  # where the unwanted thing ends
_LEADING = {"and", "or", "but", "with", "so", "please"}
_TRAILING = _LEADING | {"i", "we", "want", "like", "would", "a", "an", "the", "of"}


def _allowed(ch: str) -> bool:
    """Letters, digits and plain punctuation; no symbols (emoji, '+', '='), brackets or control characters."""
    if ch in "()[]{}|\\*":
        return False
    category = unicodedata.category(ch)
    return ch == " " or category[0] in "LNM" or category in ("Pd", "Po")


def _trim(words: str) -> str:
    """Drop the little words a split leaves dangling ("a cozy nook with" -> "a cozy nook")."""
    parts = words.split()
    while parts and parts[-1].lower() in _TRAILING:
        parts.pop()
    while parts and parts[0].lower() in _LEADING:
        parts.pop(0)
    return " ".join(parts)


def _strip_article(words: str) -> str:
    parts = _trim(words).split()
    if len(parts) > 1 and parts[0].lower() in ("a", "an", "the", "any", "some", "more"):
        parts.pop(0)
    return " ".join(parts)


def _cut_at_word(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,.;:-")


def _words(value: str, what: str) -> str:
    """A short preference given as words ("warm white", "light_oak"): letters, digits, spaces and hyphens."""
    text = unicodedata.normalize("NFKC", value).replace("_", " ").lower()
    text = "".join(ch if ch.isalnum() or ch in " -'" else " " for ch in text)
    text = _cut_at_word(re.sub(r"\s+", " ", text).strip(" -'"), MAX_WORDS_CHARS)
    if not any(ch.isalpha() for ch in text):
        raise InvalidPreference(f"{value!r} is not a {what} we understand")
    return text


# --- the pieces -----------------------------------------------------------------------------------------


def _style(code: str) -> Style:
    try:
        return STYLES[code]
    except KeyError:
        raise InvalidPreference(f"unknown style {code!r}: pick one of {', '.join(STYLES)}") from None


def _room_phrase(code: str | None) -> str:
    if code is None:
        return "photo of a room"
    if code not in ROOM_TYPES:
        raise InvalidPreference(f"unknown room type {code!r}: pick one of {', '.join(ROOM_TYPES)}")
    return f"photo of a {ROOM_TYPES[code].prompt}"


def _quality_words(code: str | None) -> tuple[str, ...]:
    room = ROOM_TYPES.get(code or "")
    return OUTDOOR_QUALITY_WORDS if room is not None and room.outdoor else QUALITY_WORDS


def _wall_phrase(value: str) -> str:
    words = color_name(value) if looks_like_hex(value) else _words(value, "wall colour")
    return words if "wall" in words else f"{words} walls"


def _flooring_phrase(value: str) -> str:
    words = _words(value, "flooring")
    return words if "floor" in words else f"{words} flooring"


def _palette_variants(palette: Sequence[str]) -> tuple[str, ...]:
    """'sage green, cream and navy blue color scheme', then with fewer colours, the first ones kept longest."""
    if isinstance(palette, str):
        palette = [palette]  # a lone "#abcdef" is one colour, not seven characters
    names = _unique(color_name(value) for value in palette)
    return tuple(_color_list(names[:n]) for n in range(len(names), 0, -1))


def _color_list(names: list[str]) -> str:
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{listed} color scheme"


def _clashes(detail: str, *, wall: bool, floor: bool) -> bool:
    """A style's own walls or floor ("white walls") would contradict the user's choice; "floor cushions" would not."""
    return (wall and detail.endswith(("walls", "wallpaper"))) or (floor and detail.endswith(("floor", "flooring")))


def _shrinking(words: list[str], *, keep: int, joiner: str) -> tuple[str, ...]:
    return tuple(joiner.join(words[:n]) for n in range(len(words), keep - 1, -1))


def _word_prefixes(text: str) -> tuple[str, ...]:
    words = text.split()
    return tuple(" ".join(words[:n]).rstrip(",") for n in range(len(words), 0, -1))


def _unique(items) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


# --- fitting into the window ----------------------------------------------------------------------------


def _fit(pieces: list[_Piece], count: TokenCounter, limit: int) -> str:
    """Add the pieces in the order given, each in its longest variant that still fits."""
    chosen: dict[int, str] = {}
    for piece in pieces:
        if not piece.variants:
            continue

        def cost(text: str, position: int = piece.position) -> int:
            return count(_join({**chosen, position: text}))

        variant = _longest_fitting(piece.variants, cost, limit)
        if variant is None and piece.required:
            variant = piece.variants[-1]
        if variant is not None:
            chosen[piece.position] = variant
    return _join(chosen)


def _longest_fitting(variants: tuple[str, ...], cost: TokenCounter, limit: int) -> str | None:
    """Binary search: variants are ordered longest first, so their costs never go up along the tuple."""
    low, high = 0, len(variants)
    while low < high:
        mid = (low + high) // 2
        if cost(variants[mid]) <= limit:
            high = mid
        else:
            low = mid + 1
    return variants[low] if low < len(variants) else None


def _join(chosen: dict[int, str]) -> str:
    return ", ".join(chosen[position] for position in sorted(chosen))


# --- counting tokens ------------------------------------------------------------------------------------


def _counter(tokenizer: Any) -> tuple[TokenCounter, int]:
    if tokenizer is None:
        return default_counter(), MAX_TOKENS
    limit = min(MAX_TOKENS, int(getattr(tokenizer, "model_max_length", MAX_TOKENS) or MAX_TOKENS))
    return _tokenizer_counter(tokenizer), limit


@cache
def default_counter() -> TokenCounter:
    """CLIP's own BPE, built from the vocabulary that open_clip ships, or a bound that never undercounts."""
    try:
        tokenizer = clip_tokenizer()
    except Exception as exc:  # a missing package or a changed file layout: degrade, do not fail the request
        log.warning("CLIP vocabulary unavailable (%s): counting prompt tokens conservatively", exc)
        return conservative_count
    return _tokenizer_counter(tokenizer)


def _tokenizer_counter(tokenizer: Any) -> TokenCounter:
    # verbose=False: measuring a too-long candidate is expected here, not worth transformers' warning.
    return lambda text: len(tokenizer(text, truncation=False, verbose=False)["input_ids"])


@cache
def clip_tokenizer() -> Any:
    """The SD 1.5 tokenizer without downloading anything.

    open_clip ships the same BPE merges OpenAI's CLIP was trained with; the
    vocabulary follows from them (256 byte symbols, the same with the
    end-of-word mark, one entry per merge, then the two markers), which is how
    the original tokenizer builds it. Reading the file by path keeps torch,
    which importing open_clip would load, out of this process.
    """
    spec = find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("open_clip_torch is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "bpe_simple_vocab_16e6.txt.gz"
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1 : 49152 - 256 - 2 + 1]]
    symbols = _byte_symbols()
    vocab = [*symbols, *(s + "</w>" for s in symbols), *("".join(m) for m in merges), "<|startoftext|>",
             "<|endoftext|>"]
    from transformers import CLIPTokenizer

    return CLIPTokenizer(vocab={token: i for i, token in enumerate(vocab)}, merges=merges)


def _byte_symbols() -> list[str]:
    """GPT-2's printable stand-in for each byte, in CLIP's vocabulary order."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    extra = [b for b in range(256) if b not in printable]
    return [chr(b) for b in printable] + [chr(256 + i) for i in range(len(extra))]


_PRETOKEN = re.compile(r"[^\W\d_]+|\d|[^\s\w]+|_+", re.UNICODE)


def conservative_count(text: str) -> int:
    """An upper bound on CLIP's count: each BPE token covers at least one byte of one pre-token.

    Used only without the real vocabulary. It overcounts plain words several
    times over, so prompts come out shorter, but they are never truncated.
    """
    return 2 + sum(len(part.encode("utf-8")) for part in _PRETOKEN.findall(text.lower()))


# --- modes other than restyle (gpu/modes.py) ------------------------------------------------------------
# Each mode words its own prompt from the same pieces and the same fitting; restyle is build_prompts above.

DECLUTTER_WORDS = ("empty room", "bare floor", "clean empty walls", "unfurnished", "minimal", "spacious")
# CLIP reads "no sofa" as "sofa": what must go is said in the negative prompt.
DECLUTTER_NEGATIVE = (
    "furniture", "sofa", "couch", "chair", "table", "bed", "shelves", "cabinet", "boxes", "clutter", "objects",
    "potted plant", "lamp", "decor", "clothes", "toys", "television",
)
STAGE_WORDS = ("fully furnished", "virtually staged", "tasteful furniture arrangement", "styled decor")
STAGE_NEGATIVE = ("empty room", "bare floor", "unfurnished")


def mode_prompts(
    mode: str,
    *,
    style: str,
    room_type: str | None,
    color_palette: Sequence[str] = (),
    wall_color: str | None = None,
    flooring: str | None = None,
    wish: str = "",
    tokenizer: Any = None,
) -> tuple[str, str]:
    """(positive, negative) for `mode`, each at most 77 CLIP tokens, from keywords (a request: `prompts_for`)."""
    choices = PromptChoices(style=style, room_type=room_type, mode=mode, color_palette=color_palette,
                            wall_color=wall_color, flooring=flooring, wish=wish)
    return prompts_for(choices, tokenizer=tokenizer)


def _declutter_pieces(choices: PromptChoices, tokenizer: Any) -> tuple[str, str]:
    """The same room, emptied: no style words (the room keeps its look), the wish only as far as it fits."""
    _style(choices.style)
    count, limit = _counter(tokenizer)
    wanted, unwanted = split_wish(clean_wish(choices.wish))
    room = _room_phrase(choices.room_type).replace("photo of a ", "photo of an empty ", 1)
    pieces = [_Piece(0, _shrinking([room, *DECLUTTER_WORDS], keep=2, joiner=", "), required=True),
              _Piece(1, _word_prefixes(wanted))]
    pieces += [_Piece(10 + i, (word,)) for i, word in enumerate(QUALITY_WORDS)]
    negative = [*NEGATIVE_STRUCTURE, *DECLUTTER_NEGATIVE, *unwanted, *NEGATIVE_GENERIC]
    return _fit(pieces, count, limit), _fit([_Piece(i, (w,)) for i, w in enumerate(_unique(negative))], count, limit)


def _stage_pieces(choices: PromptChoices, tokenizer: Any) -> tuple[str, str]:
    """A furnished room of the chosen type in the chosen style; the staging words come right after the room."""
    chosen = _style(choices.style)
    count, limit = _counter(tokenizer)
    wanted, unwanted = split_wish(clean_wish(choices.wish))
    room = _room_phrase(choices.room_type).replace("photo of a ", "photo of a furnished ", 1)
    wall = _wall_phrase(choices.wall_color) if choices.wall_color else None
    floor = _flooring_phrase(choices.flooring) if choices.flooring else None
    pieces = [
        _Piece(0, _shrinking([room, *chosen.keywords], keep=2, joiner=", "), required=True),
        _Piece(1, _shrinking(list(STAGE_WORDS), keep=1, joiner=", ")),
        _Piece(2, _palette_variants(choices.color_palette)),
        _Piece(3, (wall,) if wall else ()),
        _Piece(4, (floor,) if floor else ()),
        _Piece(5, _word_prefixes(wanted)),
    ]
    details = [d for d in chosen.details if not _clashes(d, wall=bool(wall), floor=bool(floor))]
    pieces += [_Piece(10 + i, (word,)) for i, word in enumerate([*details, *QUALITY_WORDS])]
    negative = [*NEGATIVE_STRUCTURE, *STAGE_NEGATIVE, *unwanted, *chosen.negative, *NEGATIVE_GENERIC]
    return _fit(pieces, count, limit), _fit([_Piece(i, (w,)) for i, w in enumerate(_unique(negative))], count, limit)


def _edit_pieces(choices: PromptChoices, tokenizer: Any) -> tuple[str, str]:
    """The wish first: it is what the painted area should become; the room and style only set the look."""
    chosen = _style(choices.style)
    count, limit = _counter(tokenizer)
    wanted, unwanted = split_wish(clean_wish(choices.wish))
    wall = _wall_phrase(choices.wall_color) if choices.wall_color else None
    floor = _flooring_phrase(choices.flooring) if choices.flooring else None
    pieces = [
        _Piece(0, _word_prefixes(wanted), required=bool(wanted)),
        _Piece(1, _shrinking([_room_phrase(choices.room_type), *chosen.keywords], keep=1, joiner=", "), required=True),
        _Piece(2, _palette_variants(choices.color_palette)),
        _Piece(3, (wall,) if wall else ()),
        _Piece(4, (floor,) if floor else ()),
    ]
    pieces += [_Piece(10 + i, (word,)) for i, word in enumerate(QUALITY_WORDS)]
    negative = [*NEGATIVE_STRUCTURE, *unwanted, *chosen.negative, *NEGATIVE_GENERIC]
    return _fit(pieces, count, limit), _fit([_Piece(i, (w,)) for i, w in enumerate(_unique(negative))], count, limit)
