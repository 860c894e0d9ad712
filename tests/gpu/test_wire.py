from __future__ import annotations

import pickle
import subprocess
import sys

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


# Exactly these types, subclasses excluded: an enum or a numpy number would pickle in this process and still
# need our code or numpy on the other side. Tuples are the builtin kind (a box's four numbers).
PLAIN = (dict, list, tuple, str, bytes, int, float, bool, type(None))
UNPICKLE_WITHOUT_GPU = """
import importlib.abc, pickle, sys

class NoGpu(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "gpu":
            raise ModuleNotFoundError(f"{name}: the other side has no gpu package")

sys.meta_path.insert(0, NoGpu())
for message in pickle.loads(sys.stdin.buffer.read()):
    print(message["type"])
"""


def _not_plain(value, path: str = "message") -> list[str]:
    """Where `value` holds anything but plain data."""
    kind = type(value)
    if kind not in PLAIN:
        return [f"{path}: {kind.__module__}.{kind.__qualname__}"]
    if kind is dict:
        keys = [f"{path}: key {key!r}" for key in value if type(key) is not str]
        return keys + [found for key, item in value.items() for found in _not_plain(item, f"{path}[{key!r}]")]
    if kind in (list, tuple):
        return [found for index, item in enumerate(value) for found in _not_plain(item, f"{path}[{index}]")]
    return []


def _messages() -> list[dict]:
    progress = Event(stage="transforming", progress=0.5, message="Applying boho style...", preview=b"\xff\xd8small")
    return [wire.started("fc-1"), wire.event_to_dict(progress), wire.event_to_dict(final_event()),
            wire.error_to_dict(errors.NotARoom("Not a room."))]


def test_it_sends_only_plain_data():
    messages = _messages()
    assert [found for message in messages for found in _not_plain(message)] == []
    assert isinstance(messages[2]["result"]["variations"][0]["image"], bytes)


def test_a_process_without_the_gpu_package_reads_every_message(tmp_path):
    result = subprocess.run([sys.executable, "-c", UNPICKLE_WITHOUT_GPU], input=pickle.dumps(_messages()),
                            capture_output=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert result.stdout.decode().split() == [wire.STARTED, wire.EVENT, wire.EVENT, wire.ERROR]


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
