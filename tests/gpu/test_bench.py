"""`python -m gpu.bench` prints the overhead and per-stage tables (tiny profile, smallest settings)."""
from __future__ import annotations

from gpu import bench
from tests.gpu.support import RENDER_PHOTO


def test_it_prints_overhead_stage_and_generation_tables(capsys):
    code = bench.main(["--profile", "tiny", "--device", "cpu", "--photo", str(RENDER_PHOTO), "--steps", "2",
                       "--repeats", "1", "--resolutions", "512"])

    out = capsys.readouterr().out
    assert code == 0
    assert "decode + EXIF + resize to 768" in out
    assert "whole run, 512px" in out and "transforming" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("512 ")]
    assert [(row[1], row[4]) for row in rows] == [("full", "off"), ("fast", "off")]
    assert all(float(row[5]) > 0 for row in rows)
