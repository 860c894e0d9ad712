"""With every pinned file in the local cache, `sd15` loads from disk alone and runs the whole pipeline.

The real checkpoints are gigabytes and this suite is offline, so the cache is filled with the tiny
models saved under the real repositories' names, revisions and file layout.
"""
from __future__ import annotations

import io
import json
import socket
from pathlib import Path

import pytest
import torch
from PIL import Image
from safetensors.torch import save_file

from gpu import adapter, architectures, fast, loading, pipeline, upscale, weights
from gpu.types import UpscaleRequest
from tests.gpu.support import make_request, tiny_models


def _snapshot(cache: Path, checkpoint: weights.Checkpoint) -> Path:
    folder = cache / ("models--" + checkpoint.repo_id.replace("/", "--")) / "snapshots" / checkpoint.revision
    folder.mkdir(parents=True)
    return folder


def _fill(cache: Path) -> None:
    tiny = tiny_models()
    pipe = loading.random_img2img(architectures.build("tiny"))  # as published: no adapter inside the UNet
    sd15 = _snapshot(cache, weights.SD15)
    pipe.save_pretrained(sd15, variant="fp16")
    # The SD 1.5 repository ships the slow tokenizer's files, not tokenizer.json.
    (sd15 / "tokenizer" / "tokenizer.json").unlink()
    (sd15 / "tokenizer" / "vocab.json").write_text(json.dumps(tiny.tokenizer.get_vocab()))
    (sd15 / "tokenizer" / "merges.txt").write_text("#version: 0.2\n")
    (sd15 / "tokenizer" / "special_tokens_map.json").write_text("{}")
    # Nor does its model_index.json name a ControlNet: the loader passes them in.
    index = json.loads((sd15 / "model_index.json").read_text())
    index.pop("controlnet")
    (sd15 / "model_index.json").write_text(json.dumps(index))
    for net, checkpoint in zip(pipe.controlnet.nets, (weights.CONTROLNET_DEPTH, weights.CONTROLNET_CANNY), strict=True):
        net.save_pretrained(_snapshot(cache, checkpoint), variant="fp16")
    tiny.depth_model.save_pretrained(_snapshot(cache, weights.DEPTH))
    lora = fast.tiny_lora(pipe.unet, seed=architectures.SEED)
    save_file({key: value.contiguous() for key, value in lora.items()},
              _snapshot(cache, weights.LCM_LORA) / weights.LCM_LORA.files[0])
    tiny.taesd.save_pretrained(_snapshot(cache, weights.TAESD))
    weights.yolo_path(cache).parent.mkdir(parents=True)
    tiny.detector.save(str(weights.yolo_path(cache)))
    # h94/IP-Adapter's layout: one safetensors file with "image_proj." and "ip_adapter." keys, and the encoder.
    ip_folder = _snapshot(cache, weights.IP_ADAPTER)
    encoder = adapter.random_encoder("tiny", architectures.SEED)
    encoder.save_pretrained(ip_folder / adapter.ENCODER_SUBFOLDER)
    state = adapter.random_weights(pipe.unet, encoder, architectures.SEED)
    save_file({f"{part}.{key}": value.contiguous() for part, values in state.items() for key, value in values.items()},
              ip_folder / adapter.SUBFOLDER / adapter.WEIGHT_NAME)
    # Real-ESRGAN's published layout: the EMA weights under "params_ema" in a plain torch file.
    torch.save({"params_ema": upscale.build("tiny").state_dict()},
               _snapshot(cache, weights.UPSCALER) / weights.UPSCALER.files[0])


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_it_loads_sd15_from_the_cache_alone_and_runs_the_pipeline(tmp_path, monkeypatch, no_network):
    _fill(tmp_path)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)  # offline by having everything, not by a flag
    monkeypatch.delenv("MODEL_PROFILE", raising=False)

    assert weights.missing_weights() == []
    assert weights.active_profile().name == "sd15"
    loaded = loading._load("sd15", torch.device("cpu"), torch.float32)  # not loading.load: keep the process cache clean

    assert loaded.real and loaded.profile == "sd15"
    assert loaded.versions["sd15"] == weights.SD15.ref
    assert loaded.class_names[0] == "person"
    result = list(pipeline.run(make_request(), loaded))[-1].result
    assert result.models["controlnet_canny"] == weights.CONTROLNET_CANNY.ref
    assert result.models["lcm_lora"] == weights.LCM_LORA.ref and result.models["taesd"] == weights.TAESD.ref
    assert len(result.variations) == 1
    referenced = list(pipeline.run(make_request(style_reference=make_request().image), loaded))[-1].result
    assert referenced.models["ip_adapter"] == weights.IP_ADAPTER.ref


def test_it_loads_the_upscaler_from_the_cache_alone_and_enlarges(tmp_path, monkeypatch, no_network):
    _fill(tmp_path)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    loaded = upscale._load("sd15", torch.device("cpu"), torch.float32)  # not upscale.load: no process cache

    assert loaded.real and loaded.version == weights.UPSCALER.ref
    assert len(loaded.network.body) == 1  # sized by the checkpoint's own tensors (the tiny ones here)
    buffer = io.BytesIO()
    Image.new("RGB", (96, 64), "#a3b18a").save(buffer, "JPEG")
    final = list(upscale.run(UpscaleRequest(image=buffer.getvalue(), factor=2), loaded))[-1].upscaled
    assert final.model == weights.UPSCALER.ref and (final.width, final.height) == (192, 128)
