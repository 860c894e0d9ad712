"""Cancelling stops the denoising within a step, through the backend or by closing the event stream."""
from __future__ import annotations

import threading

import pytest

from gpu import pipeline
from gpu.backends.local import LocalBackend
from gpu.errors import Cancelled
from tests.gpu.support import make_request, tiny_models


@pytest.fixture
def unet_calls():
    calls = []
    handle = tiny_models().pipe(inpaint=False, fast=False).unet.register_forward_hook(lambda *_: calls.append(1))
    yield calls
    handle.remove()


def _denoising_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "restyle-denoise"]


def test_it_raises_cancelled_and_stops_denoising_when_should_cancel_turns_true(unet_calls):
    backend = LocalBackend(profile="tiny", device="cpu")
    cancelled = threading.Event()
    seen = []

    with pytest.raises(Cancelled):
        for event in backend.restyle(make_request(steps=30), should_cancel=cancelled.is_set):
            seen.append(event)
            if event.stage == "transforming" and event.progress > 0.25:
                cancelled.set()
                calls_at_cancel = len(unet_calls)

    assert not _denoising_threads()
    # The step running when the flag flipped finishes (the worker may be one ahead of the events); no more.
    assert len(unet_calls) - calls_at_cancel <= 3
    assert len(unet_calls) < 10  # of 30 steps
    assert all(event.stage in ("analyzing", "detecting", "generating", "transforming") for event in seen)


def test_it_stops_denoising_when_the_consumer_closes_the_stream(unet_calls):
    events = pipeline.run(make_request(steps=30), tiny_models())
    for event in events:
        if event.stage == "transforming" and event.progress > 0.25:
            calls_at_close = len(unet_calls)
            break
    events.close()

    assert not _denoising_threads()
    assert len(unet_calls) - calls_at_close <= 3
    assert len(unet_calls) < 10


def test_it_does_not_start_when_cancelled_before_the_first_event(unet_calls):
    backend = LocalBackend(profile="tiny", device="cpu")

    with pytest.raises(Cancelled):
        next(backend.restyle(make_request(), should_cancel=lambda: True))

    assert unet_calls == []
