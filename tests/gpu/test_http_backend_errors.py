"""HttpBackend turns what can go wrong on the way into the worker's errors: transient where waiting or another
server may help, permanent where it cannot."""
from __future__ import annotations

import pytest

from gpu.backends import get_backend
from gpu.errors import BackendUnavailable, InvalidImage, InvalidRequest, ModelUnavailable
from tests.gpu.conftest import MAX_BODY
from tests.gpu.serve_process import TOKEN
from tests.gpu.support import make_request
from tests.servers import free_port


def test_it_maps_a_wrong_token_to_a_permanent_error(gpu_server):
    backend = get_backend("http", urls=[gpu_server.url], token="not-the-token")
    with pytest.raises(ModelUnavailable) as raised:
        list(backend.restyle(make_request()))
    assert not raised.value.transient


def test_it_maps_no_server_listening_to_a_transient_error():
    backend = get_backend("http", urls=[f"http://127.0.0.1:{free_port()}"], token=TOKEN)
    with pytest.raises(BackendUnavailable) as raised:
        list(backend.restyle(make_request()))
    assert raised.value.transient


def test_it_goes_past_a_dead_server_to_a_live_one(gpu_server):
    backend = get_backend("http", urls=[f"http://127.0.0.1:{free_port()}", gpu_server.url], token=TOKEN)
    assert backend.least_busy_first()[0].url == gpu_server.url
    assert list(backend.restyle(make_request(steps=2)))[-1].is_final


def test_it_raises_the_pipelines_own_error_from_the_server(gpu_server):
    backend = get_backend("http", urls=[gpu_server.url], token=TOKEN)
    with pytest.raises(InvalidImage) as raised:
        list(backend.restyle(make_request(image=b"this is not a photo")))
    assert not raised.value.transient


def test_it_maps_a_request_the_server_refuses_to_a_permanent_error(gpu_server):
    backend = get_backend("http", urls=[gpu_server.url], token=TOKEN)
    with pytest.raises(InvalidRequest) as raised:
        list(backend.restyle(make_request(image=b"\xff" * MAX_BODY)))
    assert not raised.value.transient
