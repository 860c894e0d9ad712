"""The layout score tells layout-keeping restyles from layout-breaking ones, on pairs it was not tuned on.

The labelled pairs come from gpu.calibration (seeded): recoloured, re-lit, re-textured,
refurnished and repainted rooms keep the layout; shifted, rotated, cropped, warped and
mirrored rooms, and other rooms, break it. The weight and the retry threshold are tuned on
the "tune" split; the figures that count are measured on the independent "holdout" split.
"""
from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from gpu import calibration, imaging, quality
from tests.gpu.support import FIXTURES, PHOTOS

MIN_AUC = 0.9
MIN_PRECISION = MIN_RECALL = 0.85


@pytest.fixture(scope="module")
def tune_pairs():
    return calibration.build("tune", FIXTURES)


@pytest.fixture(scope="module")
def holdout_pairs():
    return calibration.build("holdout", FIXTURES)


def _source(path) -> np.ndarray:
    return imaging.to_array(imaging.decode_photo(path.read_bytes(), 768))


def test_it_separates_layout_keeping_from_layout_breaking_outputs_on_the_holdout_split(holdout_pairs):
    figures = calibration.evaluate(holdout_pairs)

    print(f"holdout: {figures}")
    assert figures.pairs == 80 and calibration.labels(holdout_pairs).sum() == 40
    assert figures.auc >= MIN_AUC
    assert figures.precision >= MIN_PRECISION and figures.recall >= MIN_RECALL


def test_it_uses_the_weight_and_threshold_tuned_on_the_tune_split(tune_pairs):
    weight, threshold = calibration.tune(tune_pairs)

    assert weight == quality.EDGE_WEIGHT
    assert threshold == pytest.approx(quality.RETRY_BELOW, abs=0.005)


def test_it_tunes_and_measures_on_splits_that_share_no_room(tune_pairs, holdout_pairs):
    def rooms(pairs):
        return {p.source.tobytes() for p in pairs}

    assert len(rooms(tune_pairs)) == len(rooms(holdout_pairs)) == 5
    assert not rooms(tune_pairs) & rooms(holdout_pairs)
    kinds = {p.kind for p in holdout_pairs}
    assert {"shift", "rotation", "crop", "perspective", "mirror", "other room"} <= kinds
    assert {"recolour", "lighting", "materials", "furniture swap"} <= kinds


@pytest.mark.parametrize("path", PHOTOS, ids=lambda p: p.stem)
def test_it_flags_an_unchanged_photo_instead_of_rewarding_it(path):
    source = _source(path)
    buffer = io.BytesIO()
    Image.fromarray(source).save(buffer, format="JPEG", quality=90)
    reencoded = np.asarray(Image.open(buffer).convert("RGB"))
    recoloured = calibration.KEEPING[0][1](source, np.random.default_rng(0))

    for same in (source, reencoded):
        check = quality.assess(source, same)
        assert check.flags == ["unchanged"] and check.score == 0.0 and not check.ok
    restyled = quality.assess(source, recoloured)
    assert restyled.flags == [] and restyled.ok


def test_it_reports_depth_without_letting_it_move_the_score():
    source = _source(PHOTOS[1])
    output = calibration.KEEPING[0][1](source, np.random.default_rng(0))
    depth = cv2.GaussianBlur(cv2.cvtColor(source, cv2.COLOR_RGB2GRAY).astype(np.float32), (31, 31), 0)

    same = quality.assess(source, output, source_depth=depth, output_depth=depth)
    flipped = quality.assess(source, output, source_depth=depth, output_depth=depth[:, ::-1])

    assert same.depth_correlation == pytest.approx(1.0)
    assert flipped.depth_correlation < 0.9
    assert same.score == flipped.score  # uncalibrated here (random depth weights): reported only


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
