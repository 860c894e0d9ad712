"""ReplicateBackend through the unmodified `replicate` SDK against a loopback imitation of the predictions API:
the prediction's status and logged progress become our events, its output files our variations."""
from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from gpu.types import STAGES
from tests.gpu.replicate_edge import OUTPUT_SIZE, FakeReplicate, backend_for
from tests.gpu.support import make_request


@pytest.fixture
def fake():
    server = FakeReplicate("ok").start()
    yield server
    server.stop()


def test_it_turns_a_prediction_into_progress_events_and_a_result(fake):
    backend = backend_for(fake, extra_input={"structure": "depth", "negative_prompt": None})

    events = list(backend.restyle(make_request(variations=2, seed=40, resolution=512)))

    body = fake.created[0]
    assert body["version"] == "v123"
    assert body["input"]["image"].startswith("data:image/jpeg;base64,")
    sent = Image.open(io.BytesIO(base64.b64decode(body["input"]["image"].partition(",")[2])))
    assert max(sent.size) == 512  # the photo scaled to the design's size, not the 704 px upload
    assert "japandi" in body["input"]["prompt"].lower()
    assert body["input"]["num_outputs"] == 2 and body["input"]["seed"] == 40
    assert body["input"]["structure"] == "depth" and "negative_prompt" not in body["input"]
    assert set(fake.auth) == {"Bearer r8_test"}

    *progress, final = events
    order = [STAGES.index(e.stage) for e in progress]
    assert order == sorted(order)
    values = [e.progress for e in progress]
    assert values == sorted(values) and values[-1] < 1.0
    assert any(0.1 < v < 0.95 and e.stage == "transforming" for v, e in zip(values, progress, strict=True))
    result = final.result
    assert final.is_final and final.progress == 1.0
    assert len(result.variations) == 2
    colours = [Image.open(io.BytesIO(v.image)).getpixel((10, 10)) for v in result.variations]
    assert all(c[0] > 150 for c in colours)  # the variations, not the control map the model returns first
    assert [(v.width, v.height) for v in result.variations] == [OUTPUT_SIZE] * 2
    assert [v.seed for v in result.variations] == [40, 41]
    assert result.gpu_seconds == 2.5
    assert fake.cancelled == []


def test_it_renames_inputs_for_the_model_and_can_send_the_whole_request(fake):
    backend = backend_for(fake, input_names={"negative_prompt": "n_prompt", "num_outputs": "num_samples"},
                          send_request=True)

    list(backend.restyle(make_request(variations=1, creativity=0.3)))

    sent = fake.created[0]["input"]
    assert "blurry" in sent["n_prompt"] and sent["num_samples"] == 1
    assert "negative_prompt" not in sent and "num_outputs" not in sent
    request = json.loads(sent["request"])
    assert (request["style"], request["creativity"], request["variations"]) == ("japandi", 0.3, 1)
    assert "image" not in request
