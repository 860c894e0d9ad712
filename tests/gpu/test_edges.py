"""The canny ControlNet gets the room's structure (walls, windows, doors), not its clutter, in any light."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from gpu import imaging
from gpu.edges import structure_edges
from tests.gpu.support import PHOTOS

TOLERANCE = 3  # px


def _near(edges: np.ndarray, px: int = TOLERANCE) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * px + 1, 2 * px + 1))
    return cv2.dilate((edges > 0).astype(np.uint8), kernel).astype(bool)


def _room_with_clutter(seed: int = 3):
    """A room drawn with known structure lines, then covered in clutter: (image, structure, clutter mask)."""
    rng = np.random.default_rng(seed)
    width, height = 768, 576
    room = np.zeros((height, width, 3), dtype=np.uint8)
    back = np.array([[280, 170], [560, 170], [560, 380], [280, 380]])
    frame = np.array([[0, 0], [width, 0], [width, height], [0, height]])
    for k, colour in enumerate([(210, 205, 195), (170, 160, 150), (120, 90, 70), (185, 180, 170)]):
        cv2.fillPoly(room, [np.array([frame[k], frame[(k + 1) % 4], back[(k + 1) % 4], back[k]])], colour)
    cv2.fillPoly(room, [back], (200, 195, 185))
    cv2.rectangle(room, (330, 200), (440, 290), (235, 240, 250), -1)  # window
    cv2.fillPoly(room, [np.array([[60, 150], [160, 170], [160, 470], [60, 500]])], (140, 110, 90))  # door
    structure = cv2.Canny(cv2.cvtColor(room, cv2.COLOR_RGB2GRAY), 10, 30)

    image, clutter = room.copy(), np.zeros((height, width), dtype=np.uint8)
    for _ in range(60):  # books, toys, cushions: small things with closed outlines
        centre = (int(rng.integers(20, width - 20)), int(rng.integers(300, height - 10)))
        axes = (int(rng.integers(6, 22)), int(rng.integers(4, 14)))
        colour = tuple(int(v) for v in rng.integers(0, 255, 3))
        cv2.ellipse(image, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
        cv2.ellipse(clutter, centre, axes, 0, 0, 360, 255, -1)
    for _ in range(40):  # cables, toys: short strokes
        start = rng.integers([0, 300], [width, height])
        end = start + rng.integers(-25, 25, 2)
        cv2.line(image, tuple(map(int, start)), tuple(map(int, end)), (20, 20, 20), 2)
        cv2.line(clutter, tuple(map(int, start)), tuple(map(int, end)), 255, 2)
    image = np.clip(image + rng.normal(0, 3, image.shape), 0, 255).astype(np.uint8)
    return image, structure, _near(clutter, 4)


def test_it_keeps_walls_windows_and_doors_and_drops_the_clutter():
    image, structure, clutter = _room_with_clutter()

    edges = structure_edges(image) > 0
    fixed = imaging.canny_edges(image) > 0

    visible = (structure > 0) & ~clutter
    assert (_near(edges)[visible]).mean() > 0.7  # most of the room's lines are there
    assert clutter[edges].mean() < 0.1  # and hardly anything of the clutter
    assert clutter[fixed].mean() > 0.4  # where fixed thresholds pick up mostly clutter


@pytest.mark.parametrize("path", PHOTOS, ids=lambda p: p.stem)
def test_it_gives_a_dim_photo_the_same_lines_as_a_bright_one(path):
    photo = imaging.to_array(imaging.decode_photo(path.read_bytes(), 768))
    dim = (photo.astype(np.float32) * 0.45 + 10).astype(np.uint8)

    bright_map, dim_map = structure_edges(photo) > 0, structure_edges(dim) > 0

    assert 0.003 < bright_map.mean() < 0.5 * (imaging.canny_edges(photo) > 0).mean()  # lines, not every texture
    precision = _near(bright_map)[dim_map].mean()
    recall = _near(dim_map)[bright_map].mean()
    assert 2 * precision * recall / (precision + recall) > 0.6


def test_it_drops_lines_inside_furniture_that_will_be_replaced_but_not_the_walls_behind_it():
    image = np.full((400, 600, 3), 200, dtype=np.uint8)
    image[250:, :] = 90  # the floor line, y = 250, running behind the sofa
    cv2.rectangle(image, (200, 180), (420, 330), (40, 60, 150), -1)  # the sofa
    cv2.line(image, (220, 230), (400, 230), (240, 240, 240), 3)  # its long straight back rail
    sofa = (190.0, 170.0, 430.0, 340.0)

    kept = structure_edges(image) > 0
    replaced = structure_edges(image, [sofa]) > 0

    rail = np.zeros_like(kept)
    rail[226:236, 230:390] = True
    floor = np.zeros_like(kept)
    floor[246:254, 20:180] = True
    assert kept[rail].any() and not replaced[rail].any()
    assert replaced[floor].sum() > 100
