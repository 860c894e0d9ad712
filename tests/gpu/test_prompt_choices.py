"""A request's choices reach the prompt through one mapping (gpu.prompts.PromptChoices.from_request): the
pipeline's and Replicate's prompts are the words of the request's own fields, in every mode."""
from __future__ import annotations

import pytest

from gpu import modes
from gpu.prompts import mode_prompts
from gpu.types import MODES, RestyleRequest

CHOSEN = {"color_palette": ("#a3b18a", "#f5f0e6"), "wall_color": "#1f3a5f", "flooring": "light oak",
          "prompt": "a green velvet armchair, no rug"}


@pytest.mark.parametrize("mode", MODES)
def test_it_words_every_field_of_the_request(mode):
    request = RestyleRequest(image=b"", style="japandi", room_type=None, mode=mode, **CHOSEN)

    by_hand = mode_prompts(mode, style="japandi", room_type="bedroom", color_palette=CHOSEN["color_palette"],
                           wall_color=CHOSEN["wall_color"], flooring=CHOSEN["flooring"], wish=CHOSEN["prompt"])
    assert modes.build_prompts(request, room_type="bedroom", tokenizer=None) == by_hand
