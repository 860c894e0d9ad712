"""A design cancelled, or past the backend's timeout, cancels its Replicate prediction: the machine is freed."""
from __future__ import annotations

import pytest

from gpu.errors import BackendTimeout, Cancelled
from tests.gpu.replicate_edge import FakeReplicate, backend_for
from tests.gpu.support import make_request


@pytest.fixture
def fake():
    server = FakeReplicate("slow").start()
    yield server
    server.stop()


def test_it_cancels_the_prediction_when_the_design_is_cancelled(fake):
    polls = iter(range(100))
    backend = backend_for(fake)

    with pytest.raises(Cancelled):
        for _event in backend.restyle(make_request(), should_cancel=lambda: next(polls) >= 5):
            pass

    assert fake.cancelled == ["p0"]
    assert fake.predictions["p0"]["status"] == "canceled"


def test_it_cancels_the_prediction_when_it_takes_too_long(fake):
    backend = backend_for(fake, timeout=0.3)

    with pytest.raises(BackendTimeout) as raised:
        list(backend.restyle(make_request()))

    assert raised.value.transient
    assert fake.cancelled == ["p0"]
