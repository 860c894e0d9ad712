"""`python -m gpu.bench --reference` adds a row timed with a style reference, where the adapter runs (tiny, CPU)."""
from __future__ import annotations

from gpu import adapter, bench
from tests.gpu.support import RENDER_PHOTO


def test_it_times_a_row_with_a_style_reference(capsys, monkeypatch):
    references = []
    encode = adapter.encode
    monkeypatch.setattr(adapter, "encode", lambda pipe, image: references.append(image.size) or encode(pipe, image))
    code = bench.main(["--profile", "tiny", "--device", "cpu", "--photo", str(RENDER_PHOTO), "--steps", "2",
                       "--repeats", "1", "--resolutions", "512", "--buckets", "photo", "--no-cold-start",
                       "--reference"])

    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("512 ")]
    assert code == 0 and [row[3] for row in rows] == ["standard", "quick", "reference"]
    assert len(references) == 2  # the reference row's warm-up and timed run, each encoding it once
