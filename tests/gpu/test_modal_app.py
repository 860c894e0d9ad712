"""The Modal app's definition and the code its method runs, without Modal: no GPU, no credentials, no network."""
from __future__ import annotations

import importlib
import io

import modal
from PIL import Image

from gpu import modal_app, wire
from gpu.errors import NotARoom
from gpu.types import Event, RestyleRequest


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 160, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_it_defines_the_app_the_backend_looks_up():
    from gpu.backends.modal import ModalBackend

    backend = ModalBackend()
    assert modal_app.app.name == modal_app.APP_NAME == backend.app_name == "restyle"
    assert modal_app.CLASS_NAME == backend.class_name == "Restyler"
    assert isinstance(modal_app.Restyler, modal.Cls)
    assert isinstance(modal_app.Restyler.restyle, modal.Function)


def test_it_runs_on_a_gpu_from_a_memory_snapshot():
    options = modal_app.CLS_OPTIONS
    assert options["gpu"] == "L4"
    assert options["enable_memory_snapshot"] is True
    assert options["timeout"] > 0 and options["scaledown_window"] > 0


def test_it_takes_the_gpu_from_the_environment(monkeypatch):
    monkeypatch.setenv("RESTYLE_MODAL_GPU", "A10G")
    try:
        assert importlib.reload(modal_app).CLS_OPTIONS["gpu"] == "A10G"
    finally:
        monkeypatch.delenv("RESTYLE_MODAL_GPU")
        importlib.reload(modal_app)


def test_it_builds_the_image_from_the_hashed_gpu_lock(monkeypatch):
    calls = []
    original = modal.Image.pip_install_from_requirements

    def recording(self, path, *args, **kwargs):
        calls.append((path, kwargs.get("extra_options", "")))
        return original(self, path, *args, **kwargs)

    monkeypatch.setattr(modal.Image, "pip_install_from_requirements", recording)
    try:
        importlib.reload(modal_app)
    finally:
        monkeypatch.undo()
        importlib.reload(modal_app)
    assert calls == [(str(modal_app.LOCK_FILE), "--require-hashes --no-deps")]
    assert modal_app.LOCK_FILE.name == "gpu.lock" and "--hash=sha256:" in modal_app.LOCK_FILE.read_text()


def test_it_rebuilds_the_weights_layer_when_a_pin_changes():
    from gpu.weights import CHECKPOINTS, YOLO

    assert set(modal_app.weight_refs()) == {c.ref for c in CHECKPOINTS} | {YOLO.ref}


def test_it_streams_the_call_id_then_plain_dict_events(monkeypatch):
    seen = []

    def fake_run(request, models):
        seen.append((request, models))
        yield Event(stage="analyzing", progress=0.0, message="Reading your photo...")
        yield Event(stage="transforming", progress=0.5, message="Applying boho style...", preview=b"jpeg")

    monkeypatch.setattr(modal_app.pipeline, "run", fake_run)
    request = RestyleRequest(image=b"img", style="boho", color_palette=("#ffffff",))
    messages = list(modal_app.restyle_stream(request.to_dict(), "the models", call_id="fc-123"))
    assert messages[0] == {"type": "started", "call_id": "fc-123"}
    assert [wire.event_from_dict(m).stage for m in messages[1:]] == ["analyzing", "transforming"]
    assert seen == [(request, "the models")]


def test_it_sends_pipeline_errors_as_messages(monkeypatch):
    def fake_run(request, models):
        yield Event(stage="analyzing", progress=0.0, message="Reading your photo...")
        raise NotARoom("This photo does not look like a room.")

    monkeypatch.setattr(modal_app.pipeline, "run", fake_run)
    messages = list(modal_app.restyle_stream(RestyleRequest(image=b"x", style="boho").to_dict(), None, call_id=None))
    error = wire.error_from_dict(messages[-1])
    assert isinstance(error, NotARoom) and error.message == "This photo does not look like a room."


def test_it_answers_an_unreadable_request_with_invalid_request():
    messages = list(modal_app.restyle_stream({"image": b"x", "room_type": "bedroom"}, None, call_id=None))
    assert messages[-1] == {"type": "error", "code": "invalid_request", "message": "The request could not be read."}


def test_it_ignores_options_from_a_newer_worker():
    data = {**RestyleRequest(image=b"x", style="boho").to_dict(), "lighting": "golden hour"}
    assert modal_app.parse_request(data) == RestyleRequest(image=b"x", style="boho")


def test_it_runs_the_real_pipeline_end_to_end_on_tiny_models():
    from gpu import loading

    request = RestyleRequest(image=photo(), style="japandi", room_type="bedroom", resolution=512, steps=2, seed=1)
    messages = list(modal_app.restyle_stream(request.to_dict(), loading.load("tiny", "cpu"), call_id="fc-1"))
    events = [wire.event_from_dict(m) for m in messages[1:]]
    assert [m["type"] for m in messages[1:]] == ["event"] * len(events)
    final = events[-1]
    assert final.is_final and len(final.result.variations) == 1
    assert final.result.variations[0].image.startswith(b"\xff\xd8")
    progress = [event.progress for event in events]
    assert progress == sorted(progress)
