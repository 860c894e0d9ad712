"""The layout score tells the same room from a scrambled one, and the sanity checks catch broken outputs."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from gpu import imaging, quality
from tests.gpu.support import PHOTOS


def _source(path) -> np.ndarray:
    return imaging.to_array(imaging.decode_photo(path.read_bytes(), 768))


def _recoloured(rgb: np.ndarray) -> np.ndarray:
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hsv[..., 0] = (hsv[..., 0].astype(int) + 50) % 180
    return cv2.GaussianBlur(cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB), (5, 5), 0)


def _blocks_shuffled(rgb: np.ndarray, n: int = 8) -> np.ndarray:
    rows = np.array_split(np.arange(rgb.shape[0]), n)
    cols = np.array_split(np.arange(rgb.shape[1]), n)
    tiles = [rgb[np.ix_(r, c)] for r in rows for c in cols]
    order = np.random.default_rng(1).permutation(len(tiles))
    size = (rgb.shape[1] // n, rgb.shape[0] // n)
    tiles = [cv2.resize(tiles[k], size) for k in order]
    return np.vstack([np.hstack(tiles[i * n:(i + 1) * n]) for i in range(n)])


def _pixels_shuffled(rgb: np.ndarray) -> np.ndarray:
    return np.random.default_rng(2).permutation(rgb.reshape(-1, 3)).reshape(rgb.shape)


@pytest.mark.parametrize("path", PHOTOS, ids=lambda p: p.stem)
def test_it_scores_a_structure_preserving_output_above_scrambled_ones(path):
    source = _source(path)

    kept = quality.assess(source, _recoloured(source))
    blocks = quality.assess(source, _blocks_shuffled(source))
    pixels = quality.assess(source, _pixels_shuffled(source))

    assert kept.ok and kept.score > 0.7
    assert kept.score > blocks.score + 0.3
    assert kept.score > pixels.score + 0.3
    assert not blocks.ok and not pixels.ok  # both would be retried
    assert 0.0 <= min(blocks.score, pixels.score) and max(kept.score, blocks.score, pixels.score) <= 1.0


def test_it_uses_depth_when_both_maps_are_given():
    source = _source(PHOTOS[1])
    depth = cv2.GaussianBlur(cv2.cvtColor(source, cv2.COLOR_RGB2GRAY).astype(np.float32), (31, 31), 0)

    same = quality.assess(source, source, source_depth=depth, output_depth=depth)
    flipped = quality.assess(source, source, source_depth=depth, output_depth=depth[:, ::-1])

    assert same.depth_correlation == pytest.approx(1.0)
    assert flipped.depth_correlation < 0.9
    assert same.score > flipped.score


@pytest.mark.parametrize(
    ("make", "flag"),
    [
        (lambda s: np.zeros_like(s), "black"),
        (lambda s: np.full_like(s, 255), "white"),
        (lambda s: np.full_like(s, 128), "uniform"),
        (lambda s: np.full(s.shape, np.nan, dtype=np.float32), "nan"),
    ],
    ids=["black", "white", "uniform", "nan"],
)
def test_it_flags_broken_outputs_and_scores_them_zero(make, flag):
    source = _source(PHOTOS[1])

    check = quality.assess(source, make(source))

    assert flag in check.flags
    assert check.score == 0.0 and not check.ok


def test_it_reads_the_sanity_checks_from_the_raw_output_when_given():
    source = _source(PHOTOS[1])
    raw = np.full(source.shape, np.nan, dtype=np.float32)

    check = quality.assess(source, source, raw=raw)

    assert check.flags == ["nan"] and check.score == 0.0
