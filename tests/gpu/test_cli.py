"""`python -m gpu.restyle` turns a fixture photo into JPEGs with the tiny profile."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gpu.support import RENDER_PHOTO, decode, photo_size

ROOT = Path(__file__).resolve().parents[2]


def test_it_writes_one_jpeg_per_variation_and_prints_quality_and_timings(tmp_path):
    out = tmp_path / "out.jpg"
    done = subprocess.run(
        [sys.executable, "-m", "gpu.restyle", str(RENDER_PHOTO), "--style", "japandi", "--out", str(out),
         "--profile", "tiny", "--device", "cpu", "--variations", "2", "--resolution", "512", "--steps", "3",
         "--seed", "11"],
        cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=180,
    )

    assert done.returncode == 0, done.stderr
    width, height = photo_size(RENDER_PHOTO)
    for path in (out, tmp_path / "out-2.jpg"):
        image = decode(path.read_bytes())
        assert image.format == "JPEG"
        assert max(image.size) == 512
        assert abs(image.width / image.height - width / height) < 0.01 * width / height
    assert "quality:" in done.stdout and "timings:" in done.stdout
    assert "not a real design" in done.stderr


def test_it_exits_with_a_clear_message_on_an_unknown_style(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "gpu.restyle", str(RENDER_PHOTO), "--style", "gothic-space-station",
         "--out", str(tmp_path / "out.jpg"), "--profile", "tiny", "--device", "cpu"],
        cwd=ROOT, env={**os.environ, "HF_HUB_OFFLINE": "1"}, capture_output=True, text=True, timeout=60,
    )

    assert done.returncode == 2
    assert "gothic-space-station" in done.stderr and "japandi" in done.stderr
    assert not (tmp_path / "out.jpg").exists()
