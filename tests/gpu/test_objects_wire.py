"""Object choices travel with the request to the Modal app (pickled dicts) and to gpu.serve (wire JSON), and
come out there as the same choices."""
from __future__ import annotations

import pickle

from gpu import modal_app, wire
from tests.gpu.support import make_request

OBJECTS = (
    {"id": 0, "label": "couch", "action": "keep", "box": [120.0, 200.0, 330.0, 330.0], "frame": [512, 372]},
    {"id": 3, "label": "chair", "action": "remove", "box": [380.0, 180.0, 480.0, 320.0], "frame": [512, 372]},
)


def test_it_carries_the_object_choices_across_the_wire():
    request = make_request(objects=OBJECTS)
    over_http = modal_app.parse_request(wire.loads(wire.dumps(request.to_dict())))  # gpu.serve's reading
    over_modal = modal_app.parse_request(pickle.loads(pickle.dumps(request.to_dict())))  # remote_gen's
    for received in (over_http, over_modal):
        assert received.objects == OBJECTS
        assert received == request


def test_it_reads_a_request_from_a_worker_that_sends_no_objects():
    payload = make_request().to_dict()
    del payload["objects"]  # a worker from before object choices, during a rollout
    assert modal_app.parse_request(payload).objects == ()
