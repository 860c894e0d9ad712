"""Each mode's wording of the prompt (gpu.prompts.mode_prompts), within CLIP's window."""
from __future__ import annotations

from gpu.prompts import MAX_TOKENS, build_prompts, count_tokens, mode_prompts
from gpu.styles import STYLES

LONG_WISH = "a reading corner with a green velvet armchair and a tall brass floor lamp by the window " * 3


def test_it_words_a_declutter_as_the_same_room_emptied():
    positive, negative = mode_prompts("declutter", style="boho", room_type="living_room", wish="")
    assert positive.startswith("photo of an empty living room")
    assert not any(word in positive for word in STYLES["boho"].keywords)  # the room keeps its own look
    assert {"furniture", "sofa", "clutter"} <= set(negative.split(", "))


def test_it_words_a_stage_as_the_room_furnished_in_the_style():
    positive, negative = mode_prompts("stage", style="japandi", room_type="bedroom", wish="")
    assert positive.startswith("photo of a furnished bedroom, " + STYLES["japandi"].keywords[0])
    assert "fully furnished" in positive
    assert "empty room" in negative.split(", ")


def test_it_puts_an_edits_wish_first_and_its_negations_in_the_negative():
    positive, negative = mode_prompts("edit", style="japandi", room_type="bedroom",
                                      wish="a green velvet armchair, no rug")
    assert positive.startswith("a green velvet armchair, photo of a bedroom")
    assert "rug" in negative.split(", ") and "rug" not in positive


def test_it_keeps_a_restyle_as_it_was():
    choices = {"style": "japandi", "room_type": "bedroom", "wish": "a green armchair"}
    assert mode_prompts("restyle", **choices) == build_prompts(**choices)


def test_it_fits_every_mode_into_clips_window():
    for mode in ("declutter", "stage", "edit"):
        positive, negative = mode_prompts(mode, style="japandi", room_type="living_room", wish=LONG_WISH,
                                          color_palette=["#a3b18a", "#f5f0e6"], wall_color="sage green",
                                          flooring="light oak")
        assert count_tokens(positive) <= MAX_TOKENS and count_tokens(negative) <= MAX_TOKENS, mode
