"""The mode and the edit mask travel to the Modal app with the request, and come out the same there."""
from __future__ import annotations

import pickle

from gpu import modal_app
from tests.gpu.support import make_request

MASK = b"\x89PNG\r\n\x1a\n a mask's bytes"


def test_it_carries_the_mode_and_mask_to_the_modal_app():
    request = make_request(mode="edit", mask=MASK, prompt="a green wall")
    payload = pickle.loads(pickle.dumps(request.to_dict()))  # what Modal's remote_gen call sends
    received = modal_app.parse_request(payload)
    assert received.mode == "edit" and received.mask == MASK
    assert received == request


def test_it_reads_a_request_from_a_worker_that_sends_no_mode_as_a_restyle():
    payload = make_request().to_dict()
    del payload["mode"], payload["mask"]  # a worker from before modes, during a rollout
    received = modal_app.parse_request(payload)
    assert received.mode == "restyle" and received.mask is None
