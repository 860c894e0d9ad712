"""`python -m gpu.bench` prints versions, overhead, compile and one row per bucket x batch x mode (tiny, CPU)."""
from __future__ import annotations

from gpu import bench, buckets, fast
from tests.gpu.support import RENDER_PHOTO, photo_size


def test_it_prints_versions_compile_and_a_row_per_bucket_batch_and_mode(capsys):
    code = bench.main(["--profile", "tiny", "--device", "cpu", "--photo", str(RENDER_PHOTO), "--steps", "2",
                       "--repeats", "1", "--resolutions", "512", "--buckets", "photo", "--no-cold-start"])

    out = capsys.readouterr().out
    assert code == 0
    assert "float32" in out and "torch 2." in out and "diffusers 0." in out and "cpu (" in out
    assert "decode + EXIF + resize to 768" in out
    assert "compile: off" in out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("512 ")]
    width, height = buckets.nearest_bucket(*photo_size(RENDER_PHOTO), 512)
    assert [(row[1], row[2], row[3]) for row in rows] == [(f"{width}x{height}", "1", "standard"),
                                                          (f"{width}x{height}", "1", "quick")]
    assert int(rows[1][4]) == fast.FAST_STEPS  # quick mode runs its few steps whatever the strength
    assert all(float(row[6]) >= float(row[5]) > 0 for row in rows)  # a whole request costs more than its denoising

