from __future__ import annotations

import pickle

import pytest

from gpu import errors, wire
from gpu.colors import InvalidPreference
from gpu.types import Detection, Event, RestyleRequest, RestyleResult, Variation


def final_event() -> Event:
    result = RestyleResult(
        variations=[
            Variation(image=b"\xff\xd8jpeg1", thumbnail=b"\xff\xd8thumb1", seed=7, width=768, height=512,
                      quality_score=0.81),
            Variation(image=b"\xff\xd8jpeg2", thumbnail=b"\xff\xd8thumb2", seed=8, width=768, height=512,
                      quality_score=0.64),
        ],
        maps={"depth": b"\x89PNGdepth", "edges": b"\x89PNGedges"},
        timings={"analyzing": 0.01, "transforming": 4.2},
        furniture=[Detection(label="couch", box=(1.0, 2.0, 300.5, 200.0), confidence=0.9)],
        detected_room_type="living_room",
        quality={"scores": [0.81, 0.64], "retried": False},
        models={"sd15": "stable-diffusion-v1-5@451f4fe"},
        device="cuda:0",
        gpu_seconds=4.4,
    )
    return Event(stage="completed", progress=1.0, message="Done", result=result)


def test_it_round_trips_a_progress_event():
    event = Event(stage="transforming", progress=0.5, message="Applying boho style...", preview=b"\xff\xd8small")
    data = wire.event_to_dict(event)
    assert data["type"] == wire.EVENT
    assert wire.event_from_dict(data) == event


def test_it_round_trips_the_final_event_with_variations_and_detections():
    event = final_event()
    assert wire.event_from_dict(wire.event_to_dict(event)) == event


def test_it_sends_only_plain_data():
    data = wire.event_to_dict(final_event())
    assert isinstance(data["result"]["variations"][0], dict)
    assert isinstance(data["result"]["furniture"][0], dict)
    pickle.loads(pickle.dumps(data))  # and nothing that needs gpu.types on the other side


def test_it_restores_boxes_that_came_back_as_lists():
    data = wire.event_to_dict(final_event())
    data["result"]["furniture"][0]["box"] = [1.0, 2.0, 300.5, 200.0]
    assert wire.event_from_dict(data) == final_event()


def test_it_ignores_keys_from_a_newer_app():
    data = wire.event_to_dict(final_event())
    data["eta_seconds"] = 3
    data["result"]["new_metric"] = 1
    data["result"]["variations"][0]["nsfw"] = False
    assert wire.event_from_dict(data) == final_event()


def test_it_round_trips_a_request():
    request = RestyleRequest(image=b"img", style="boho", color_palette=("#ffffff",), seed=3)
    assert RestyleRequest.from_dict(request.to_dict()) == request


@pytest.mark.parametrize("cls", [errors.InvalidImage, errors.NotARoom, errors.ModelUnavailable,
                                 errors.BackendTimeout, errors.Cancelled, errors.GenerationFailed])
def test_it_brings_errors_back_as_their_own_class(cls):
    restored = wire.error_from_dict(wire.error_to_dict(cls("What the user reads.")))
    assert type(restored) is cls and restored.message == "What the user reads."
    assert restored.transient == cls.transient


def test_it_brings_a_subclass_from_elsewhere_back_as_its_base():
    restored = wire.error_from_dict(wire.error_to_dict(InvalidPreference("'#zz' is not a colour")))
    assert type(restored) is errors.InvalidRequest and "#zz" in restored.message


def test_it_treats_an_unknown_error_code_as_a_generation_failure():
    restored = wire.error_from_dict({"type": "error", "code": "from_the_future", "message": ""})
    assert isinstance(restored, errors.GenerationFailed) and restored.message
