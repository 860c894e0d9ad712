"""HttpBackend against a real `python -m gpu.serve`: the pipeline's events, in order, then the result."""
from __future__ import annotations

from gpu.backends import get_backend
from tests.gpu.serve_process import TOKEN
from tests.gpu.support import decode, make_request


def test_it_streams_the_pipelines_events_and_result_from_the_server(gpu_server):
    backend = get_backend("http", urls=[gpu_server.url], token=TOKEN)
    before = gpu_server.load()

    events = list(backend.restyle(make_request(variations=2, steps=2)))

    stages = [event.stage for event in events]
    assert stages[0] == "analyzing" and stages[-1] == "completed"
    assert "transforming" in stages and "finalizing" in stages
    progress = [event.progress for event in events]
    assert progress == sorted(progress) and progress[-1] == 1.0
    result = events[-1].result
    assert [event.is_final for event in events] == [False] * (len(events) - 1) + [True]
    assert len(result.variations) == 2 and result.device == "cpu"
    assert decode(result.variations[1].image).size == (result.variations[1].width, result.variations[1].height)
    assert set(result.maps) >= {"depth", "edges"} and result.maps["depth"].startswith(b"\x89PNG")
    assert all(len(d.box) == 4 for d in result.furniture)
    after = gpu_server.load()
    assert after["completed"] == before.get("completed", 0) + 1 and after["running"] == 0
