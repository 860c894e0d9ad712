"""ModalBackend against a fake of the Modal SDK's boundary: Cls.from_name, remote_gen and FunctionCall.cancel."""
from __future__ import annotations

import logging
import threading
import time

import modal
import modal.exception as modal_errors
import pytest

from gpu import errors, wire
from gpu.backends import get_backend
from gpu.backends.modal import ModalBackend
from gpu.types import Detection, Event, RestyleRequest, RestyleResult, Variation

REQUEST = RestyleRequest(image=b"\xff\xd8photo", style="japandi", room_type="bedroom", color_palette=("#ffffff",))


def final_event() -> Event:
    result = RestyleResult(
        variations=[Variation(image=b"jpeg", thumbnail=b"thumb", seed=5, width=768, height=512, quality_score=0.8)],
        maps={"depth": b"png"}, timings={"transforming": 3.0},
        furniture=[Detection(label="bed", box=(1.0, 2.0, 3.0, 4.0), confidence=0.9)],
        detected_room_type="bedroom", quality={"retried": False}, models={"sd15": "x@1"}, device="cuda:0",
        gpu_seconds=3.5,
    )
    return Event(stage="completed", progress=1.0, message="Your design is ready.", result=result)


PROGRESS = [
    Event(stage="analyzing", progress=0.0, message="Reading your photo..."),
    Event(stage="transforming", progress=0.5, message="Applying Japandi style...", preview=b"small"),
]


class FakeModal:
    """Records what the backend asks of Modal; `script` is the remote generator's body."""

    def __init__(self, script) -> None:
        self.script = script
        self.looked_up: list[tuple] = []
        self.payloads: list[dict] = []
        self.cancelled: list[str] = []
        self.closed = threading.Event()
        self.release = threading.Event()  # lets a script that waits (a cold start) go on

    def from_name(self, app_name, name, *, environment_name=None):
        self.looked_up.append((app_name, name, environment_name))
        fake = self

        class Instance:
            class restyle:  # noqa: N801  mirrors the SDK's attribute
                @staticmethod
                def remote_gen(payload):
                    fake.payloads.append(payload)
                    return fake.stream()

        return lambda: Instance()

    def stream(self):
        try:
            yield from self.script(self)
        finally:
            self.closed.set()

    def from_id(self, call_id):
        fake = self

        class Call:
            def cancel(self, terminate_containers=False):
                fake.cancelled.append(call_id)

        return Call()


@pytest.fixture
def fake_modal(monkeypatch):
    def install(script) -> FakeModal:
        fake = FakeModal(script)
        monkeypatch.setattr(modal.Cls, "from_name", fake.from_name)
        monkeypatch.setattr(modal.FunctionCall, "from_id", fake.from_id)
        return fake

    return install


def happy(fake):
    yield wire.started("fc-1")
    for event in [*PROGRESS, final_event()]:
        yield wire.event_to_dict(event)


def backend(**options) -> ModalBackend:
    return ModalBackend(poll_interval=0.01, **options)


def test_it_is_the_modal_backend():
    assert get_backend("modal").name == "modal"
    assert isinstance(get_backend("modal", timeout=5), ModalBackend)


def test_it_streams_events_from_the_deployed_app(fake_modal):
    fake = fake_modal(happy)
    events = list(backend().restyle(REQUEST))
    assert events == [*PROGRESS, final_event()]
    assert fake.looked_up == [("restyle", "Restyler", None)]
    assert fake.payloads == [REQUEST.to_dict()]
    assert fake.closed.is_set() and fake.cancelled == []


def test_it_looks_up_the_configured_app(fake_modal):
    fake = fake_modal(happy)
    list(ModalBackend(app_name="restyle-staging", class_name="R", environment_name="staging").restyle(REQUEST))
    assert fake.looked_up == [("restyle-staging", "R", "staging")]


def test_it_reraises_a_remote_pipeline_error_as_its_own_class(fake_modal):
    def script(fake):
        yield wire.started("fc-1")
        yield wire.event_to_dict(PROGRESS[0])
        yield wire.error_to_dict(errors.NotARoom("This photo does not look like a room."))

    fake_modal(script)
    with pytest.raises(errors.NotARoom, match="does not look like a room") as caught:
        list(backend().restyle(REQUEST))
    assert caught.value.transient is False


def test_it_reraises_an_unpickled_remote_error_as_itself(fake_modal):
    def script(fake):
        raise errors.ModelUnavailable("Model x is not in the local cache.")
        yield

    fake_modal(script)
    with pytest.raises(errors.ModelUnavailable, match="not in the local cache"):
        list(backend().restyle(REQUEST))


@pytest.mark.parametrize(
    "raised, expected, transient",
    [
        (modal_errors.FunctionTimeoutError("timed out"), errors.BackendTimeout, True),
        (modal_errors.OutputExpiredError(), errors.BackendTimeout, True),
        (modal_errors.ConnectionError("no route"), errors.BackendUnavailable, True),
        (modal_errors.ServiceError("unavailable"), errors.BackendUnavailable, True),
        (modal_errors.ResourceExhaustedError("quota"), errors.BackendUnavailable, True),
        (modal_errors.InternalFailure("retry me"), errors.BackendUnavailable, True),
        (ConnectionResetError("reset"), errors.BackendUnavailable, True),
        (modal_errors.NotFoundError("App 'restyle' not found"), errors.ModelUnavailable, False),
        (modal_errors.AuthError("token missing"), errors.ModelUnavailable, False),
        (modal_errors.RemoteError("container crashed: /secret/path"), errors.GenerationFailed, False),
        (KeyError("internal detail"), errors.GenerationFailed, False),
    ],
)
def test_it_maps_modal_errors(fake_modal, raised, expected, transient):
    def script(fake):
        yield wire.started("fc-1")
        raise raised

    fake_modal(script)
    with pytest.raises(expected) as caught:
        list(backend().restyle(REQUEST))
    assert caught.value.transient is transient
    assert "secret" not in caught.value.message and "internal detail" not in caught.value.message
    assert caught.value.__cause__ is raised


def test_it_tells_the_operator_when_the_app_is_not_deployed(fake_modal, caplog):
    def script(fake):
        raise modal_errors.NotFoundError("App 'restyle' not found in environment 'main'")
        yield

    fake_modal(script)
    with caplog.at_level(logging.ERROR, logger="gpu.backends.modal"), pytest.raises(errors.ModelUnavailable):
        list(backend().restyle(REQUEST))
    assert "modal deploy -m gpu.modal_app" in caplog.text and "not found" in caplog.text


def test_it_fails_when_the_stream_ends_without_a_result(fake_modal):
    def script(fake):
        yield wire.started("fc-1")
        yield wire.event_to_dict(PROGRESS[0])

    fake_modal(script)
    with pytest.raises(errors.GenerationFailed, match="stopped before"):
        list(backend().restyle(REQUEST))


def test_it_cancels_between_events(fake_modal):
    def script(fake):
        yield wire.started("fc-7")
        for i in range(1000):
            yield wire.event_to_dict(Event(stage="transforming", progress=i / 1000, message="..."))
            time.sleep(0.005)

    fake = fake_modal(script)
    received = []
    with pytest.raises(errors.Cancelled):
        for event in backend().restyle(REQUEST, should_cancel=lambda: len(received) >= 2):
            received.append(event)
    assert fake.cancelled == ["fc-7"]
    assert fake.closed.wait(2)
    assert len(received) < 100  # promptly, not after the remaining 1000


def test_it_cancels_while_the_app_is_still_starting(fake_modal):
    def script(fake):
        fake.release.wait(5)  # a cold start: nothing arrives until the container is up
        yield wire.started("fc-8")
        yield wire.event_to_dict(PROGRESS[0])

    fake = fake_modal(script)
    started = time.monotonic()
    with pytest.raises(errors.Cancelled):
        list(backend().restyle(REQUEST, should_cancel=lambda: time.monotonic() - started > 0.1))
    assert time.monotonic() - started < 2  # not held up by the cold start (5 s here)
    fake.release.set()
    assert fake.closed.wait(2)  # the first message, the call id, is enough to cancel the call
    assert fake.cancelled == ["fc-8"]


def test_it_gives_up_at_its_deadline(fake_modal):
    def script(fake):
        yield wire.started("fc-9")
        fake.release.wait(5)  # a GPU that never answers
        yield wire.event_to_dict(PROGRESS[0])

    fake = fake_modal(script)
    started = time.monotonic()
    with pytest.raises(errors.BackendTimeout) as caught:
        list(backend(timeout=0.2).restyle(REQUEST))
    assert 0.2 <= time.monotonic() - started < 2 and caught.value.transient
    assert fake.cancelled == ["fc-9"]
    fake.release.set()
    assert fake.closed.wait(2)


def test_it_cancels_the_call_when_the_caller_stops_listening(fake_modal):
    def script(fake):
        yield wire.started("fc-10")
        while True:
            yield wire.event_to_dict(PROGRESS[1])
            time.sleep(0.005)

    fake = fake_modal(script)
    events = backend().restyle(REQUEST)
    next(events)
    events.close()
    assert fake.cancelled == ["fc-10"]
    assert fake.closed.wait(2)
