"""Real weights missing on an offline machine: a clear error naming the model, at once, never a hang."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gpu import loading, weights
from gpu.errors import ModelUnavailable

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("MODEL_PROFILE", raising=False)
    return tmp_path / "hub"


def test_it_raises_model_unavailable_naming_the_model_within_seconds(empty_cache):
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as raised:
        loading.load("sd15", "cpu")

    assert time.monotonic() - started < 3
    assert weights.SD15.repo_id in raised.value.message
    assert "python -m gpu.fetch_models" in raised.value.message


def test_it_falls_back_to_tiny_with_a_notice_when_nothing_is_cached(empty_cache):
    status = weights.active_profile()

    assert status.name == "tiny" and not status.real
    assert "not real designs" in status.notice
    assert "python -m gpu.fetch_models" in status.notice


def test_it_picks_sd15_when_every_pinned_file_is_cached(empty_cache):
    for checkpoint in weights.CHECKPOINTS:
        repo = empty_cache / ("models--" + checkpoint.repo_id.replace("/", "--"))
        for filename in checkpoint.files:
            path = repo / "snapshots" / checkpoint.revision / filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("{}")
    weights.yolo_path().parent.mkdir(parents=True)
    weights.yolo_path().write_bytes(b"weights")

    assert weights.missing_weights() == []
    assert weights.active_profile().name == "sd15"


def test_it_honours_an_explicit_profile(empty_cache, monkeypatch):
    monkeypatch.setenv("MODEL_PROFILE", "tiny")
    assert weights.active_profile().name == "tiny"
    monkeypatch.setenv("MODEL_PROFILE", "sd15")
    assert weights.active_profile().real
    monkeypatch.setenv("MODEL_PROFILE", "sdxl")
    with pytest.raises(ValueError, match="MODEL_PROFILE"):
        weights.active_profile()


def test_it_fails_fetching_fast_and_clearly_when_offline(empty_cache):
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "gpu.fetch_models", "--cache-dir", str(empty_cache)],
        cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=60,
    )

    assert done.returncode == 1
    assert "HF_HUB_OFFLINE" in done.stderr
    assert time.monotonic() - started < 30  # interpreter start-up included
    assert not any(empty_cache.rglob("*.safetensors"))
