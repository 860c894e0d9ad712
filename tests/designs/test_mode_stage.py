"""Staging through the whole stack: API submit → real worker (tiny) → a furnished result, checked for its shell."""
from __future__ import annotations

from designs.models import Design
from gpu import modes
from tests.designs.conftest import submit, wait_for
from tests.gpu.support import pipe_spy


def test_it_stages_an_empty_room(worker, alice_api, monkeypatch):
    spy = pipe_spy(monkeypatch, "img2img")  # the worker's local backend runs the same cached tiny set
    response = submit(alice_api, mode="stage", style="scandinavian", room_type="bedroom", seed="11")
    assert response.status_code == 202, response.content
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]
    assert state["mode"] == "stage" and state["mask_url"] is None
    assert len(state["results"]) == 1

    # Furnished, in the style, from the photo as a whole; the shell held loosely by depth.
    first = spy.calls[0]  # (the tiny tokenizer's window keeps the prompt's first, required piece only)
    assert first["prompt"].startswith("photo of a furnished bedroom")
    assert first["controlnet_conditioning_scale"][0] == modes.DEPTH_SCALE["stage"] < modes.DEPTH_SCALE["restyle"]
    # The stage check ran: the shell's depth is measured on every attempt.
    quality = state["metadata"]["quality"]
    attempts = [quality["variations"][0], *quality["first_attempt"].values()]
    assert all(attempt["depth_correlation"] is not None for attempt in attempts)
    assert Design.objects.get(pk=state["id"]).mode == "stage"
