"""Each mode's meaning of a good result (gpu.quality.assess_mode)."""
from __future__ import annotations

import numpy as np

from gpu import imaging, quality
from tests.gpu.support import RENDER_PHOTO


def _photo() -> np.ndarray:
    return imaging.to_array(imaging.decode_photo(RENDER_PHOTO.read_bytes(), 512))


def _region(photo: np.ndarray) -> np.ndarray:
    region = np.zeros(photo.shape[:2], np.uint8)
    region[100:250, 150:350] = 255
    return region


def _repainted(photo: np.ndarray, region: np.ndarray) -> np.ndarray:
    output = photo.copy()
    output[region > 0] = (60, 140, 80)
    return output


def test_it_passes_an_edit_that_changed_only_its_area():
    photo = _photo()
    region = _region(photo)
    check = quality.assess_mode("edit", photo, _repainted(photo, region), region=region)
    assert check.flags == [] and check.score > 0.9


def test_it_flags_an_edit_that_changed_one_pixel_outside_its_area():
    photo = _photo()
    region = _region(photo)
    output = _repainted(photo, region)
    output[5, 5] = output[5, 5] ^ 1
    assert quality.assess_mode("edit", photo, output, region=region).flags == ["outside_changed"]


def test_it_flags_an_edit_that_left_its_area_as_it_was():
    photo = _photo()
    assert quality.assess_mode("edit", photo, photo.copy(), region=_region(photo)).flags == ["unchanged"]


def test_it_flags_a_declutter_with_an_object_left_in_the_cleared_area():
    photo = _photo()
    region = _region(photo)
    output = _repainted(photo, region)
    left = quality.assess_mode("declutter", photo, output, region=region, objects_after=[(160.0, 110.0, 300.0, 240.0)])
    elsewhere = quality.assess_mode("declutter", photo, output, region=region, objects_after=[(0.0, 0.0, 60.0, 60.0)])
    assert left.flags == ["objects_remain"]
    assert elsewhere.flags == []


def test_it_flags_a_declutter_that_moved_the_architecture():
    photo = _photo()
    region = _region(photo)
    depth = np.tile(np.linspace(0, 1, photo.shape[0], dtype=np.float32)[:, None], (1, photo.shape[1]))
    output = _repainted(photo, region)
    kept = quality.assess_mode("declutter", photo, output, region=region, source_depth=depth, output_depth=depth)
    moved = quality.assess_mode("declutter", photo, output, region=region, source_depth=depth,
                                output_depth=1 - depth)
    assert kept.flags == [] and kept.depth_correlation > 0.99
    assert moved.flags == ["architecture_lost"]


def test_it_flags_a_staged_room_whose_shell_lost_its_depth():
    photo = _photo()
    furnished = np.clip(photo.astype(int) + 40, 0, 255).astype(np.uint8)
    depth = np.tile(np.linspace(0, 1, photo.shape[0], dtype=np.float32)[:, None], (1, photo.shape[1]))
    kept = quality.assess_mode("stage", photo, furnished, source_depth=depth, output_depth=depth)
    lost = quality.assess_mode("stage", photo, furnished, source_depth=depth, output_depth=1 - depth)
    assert kept.flags == [] and kept.score > 0
    assert lost.flags == ["shell_lost"] and lost.score == 0
