"""Replicate's errors become ours: what may pass on retry (or on another engine) is transient, what will not is
permanent, and the user reads a plain sentence, never Replicate's details."""
from __future__ import annotations

import socket

import pytest

from gpu.errors import BackendUnavailable, GenerationFailed, InvalidRequest, ModelUnavailable
from tests.gpu.replicate_edge import FakeReplicate, backend_for
from tests.gpu.support import make_request


@pytest.mark.parametrize("script, error, transient", [
    ("429", BackendUnavailable, True),
    ("503", BackendUnavailable, True),
    ("interrupted", BackendUnavailable, True),
    ("422", InvalidRequest, False),
    ("401", ModelUnavailable, False),
    ("404", ModelUnavailable, False),
    ("fail", GenerationFailed, False),
])
def test_it_maps_replicate_errors(script, error, transient):
    fake = FakeReplicate(script).start()
    try:
        with pytest.raises(error) as raised:
            list(backend_for(fake).restyle(make_request()))
    finally:
        fake.stop()
    assert type(raised.value) is error
    assert raised.value.transient is transient
    assert "CUDA" not in raised.value.message and "status" not in raised.value.message


def test_it_is_transient_when_replicate_cannot_be_reached():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeReplicate()
    fake.url = f"http://127.0.0.1:{port}"

    with pytest.raises(BackendUnavailable) as raised:
        list(backend_for(fake).restyle(make_request()))
    assert raised.value.transient
