"""gpu/upscale.py on its own: the delivered size, the tiles, the checkpoint loader, and both backends' streams."""
from __future__ import annotations

import io

import pytest
import torch
from PIL import Image

from gpu import modal_app, upscale, wire
from gpu.backends.local import LocalBackend
from gpu.errors import Cancelled, InvalidRequest
from gpu.types import UPSCALE_MAX_SIDE, UpscaleRequest


def _jpeg(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.radial_gradient("L").convert("RGB").resize(size).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize(("size", "factor", "expected"), [
    ((512, 384), 2, (1024, 768)),
    ((1024, 768), 4, (4096, 3072)),  # exactly at the cap
    ((1024, 768), 2, (2048, 1536)),
    ((1500, 1000), 4, (4096, 2731)),  # capped: long side 4096, the short one in proportion
    ((1000, 1500), 4, (2731, 4096)),
    ((2048, 1024), 2, (4096, 2048)),
])
def test_it_sizes_exactly_and_caps_the_long_side_at_4096(size, factor, expected):
    assert UPSCALE_MAX_SIDE == 4096
    assert upscale.target_size(*size, factor, UPSCALE_MAX_SIDE) == expected


def test_it_refuses_another_factor():
    with pytest.raises(InvalidRequest):
        upscale.target_size(100, 100, 3, UPSCALE_MAX_SIDE)


def test_it_runs_in_tiles_with_progress_and_delivers_the_exact_size(monkeypatch):
    monkeypatch.setenv("RESTYLE_UPSCALE_TILE", "64")
    loaded = upscale._load("tiny", torch.device("cpu"), torch.float32)
    events = list(upscale.run(UpscaleRequest(image=_jpeg((160, 96)), factor=4, max_side=500), loaded))
    final = events[-1].upscaled
    assert [e.stage for e in events[:-1]] == ["upscaling"] * (len(events) - 1)
    assert final.timings["tiles"] == 6 and len(events) == 8  # 3 x 2 tiles, a start and the final event
    progress = [e.progress for e in events]
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert (final.width, final.height) == (500, 300)
    assert Image.open(io.BytesIO(final.image)).size == (500, 300)


def test_it_loads_a_checkpoint_by_its_own_sizes_and_refuses_another_network():
    network = upscale.from_state_dict({"params_ema": upscale.build("tiny").state_dict()})
    assert len(network.body) == 1 and network.conv_first.out_channels == upscale.SIZES["tiny"]["num_feat"]
    with pytest.raises(ValueError):
        upscale.from_state_dict({"params_ema": {"conv.weight": torch.zeros(1)}})


def test_it_is_the_published_real_esrgan_x4plus_layout_at_full_size():
    network = upscale.build("sd15")
    assert sum(p.numel() for p in network.parameters()) == 16_697_987  # RealESRGAN_x4plus.pth's parameter count


def test_it_stops_the_local_backend_when_cancelled(monkeypatch):
    monkeypatch.setenv("RESTYLE_UPSCALE_TILE", "64")
    calls = []

    def cancel_after_two_events():
        calls.append(1)
        return len(calls) > 2

    events = LocalBackend(profile="tiny", device="cpu").upscale(
        UpscaleRequest(image=_jpeg((160, 96)), factor=2), should_cancel=cancel_after_two_events)
    with pytest.raises(Cancelled):
        list(events)


def test_it_streams_an_upscale_from_the_modal_app_as_plain_dicts():
    loaded = upscale._load("tiny", torch.device("cpu"), torch.float32)
    request = UpscaleRequest(image=_jpeg((64, 48)), factor=2)
    messages = list(modal_app.upscale_stream(request.to_dict(), loaded, call_id="fc-9"))
    assert messages[0] == {"type": "started", "call_id": "fc-9"}
    final = wire.event_from_dict(messages[-1])
    assert final.is_final and (final.upscaled.width, final.upscaled.height) == (128, 96)
    bad = list(modal_app.upscale_stream({"image": b"x", "factor": 3}, loaded, call_id=None))
    assert wire.error_from_dict(bad[-1]).code == "invalid_request"


def test_it_upscales_through_the_modal_backend_calling_the_apps_upscale_method(monkeypatch):
    import modal

    from gpu.backends.modal import ModalBackend

    loaded = upscale._load("tiny", torch.device("cpu"), torch.float32)
    asked = []

    class Instance:
        class upscale:  # noqa: N801  the app's method, as the SDK exposes it
            @staticmethod
            def remote_gen(payload):
                asked.append(payload["factor"])
                return modal_app.upscale_stream(payload, loaded, call_id="fc-1")

    monkeypatch.setattr(modal.Cls, "from_name", lambda *args, **kwargs: lambda: Instance())
    events = list(ModalBackend(poll_interval=0.01).upscale(UpscaleRequest(image=_jpeg((64, 48)), factor=4)))
    assert asked == [4]
    assert (events[-1].upscaled.width, events[-1].upscaled.height) == (256, 192)
