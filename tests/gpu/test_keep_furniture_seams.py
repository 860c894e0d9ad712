"""keep_furniture leaves no band of the old wall around a kept piece, and keeps the piece's own pixels."""
from __future__ import annotations

import cv2
import numpy as np
import pytest

from gpu import imaging
from gpu.types import Detection
from tests.gpu.support import decode, make_request, pipe_spy, run_to_end

WALL = np.array([200, 70, 50])  # terracotta
PIECE = np.array([40, 70, 200])  # a blue cabinet
BOX = (150, 120, 350, 280)  # x1, y1, x2, y2 on a 512 x 384 photo
RING_PX = 12  # how far outside the piece a leftover band would show


def _photo() -> bytes:
    image = np.empty((384, 512, 3), dtype=np.uint8)
    image[:] = WALL
    x1, y1, x2, y2 = BOX
    image[y1:y2, x1:x2] = PIECE
    return imaging.encode_png(imaging.Image.fromarray(image))




@pytest.fixture
def inpaint(monkeypatch):
    return pipe_spy(monkeypatch, "inpaint")


def test_it_keeps_the_piece_and_leaves_no_band_of_the_old_wall_around_it(inpaint):
    request = make_request(image=_photo(), keep_furniture=True)
    result = run_to_end(request, detections=[Detection("couch", tuple(map(float, BOX)), 0.9)])[-1].result

    output = np.asarray(decode(result.variations[0].image).convert("RGB")).astype(int)
    tight = np.asarray(decode(result.maps["mask"])) > 0
    x1, y1, x2, y2 = BOX
    assert tight[y1:y2, x1:x2].all() and tight.sum() == (x2 - x1) * (y2 - y1)  # the piece itself, not grown

    # Inside: the piece's own pixels (the outermost few are the inward feather).
    core = cv2.erode(tight.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    error = np.abs(output[core] - PIECE).max(axis=1)
    assert error.mean() < 4 and np.percentile(error, 99) < 16  # JPEG rounding (and chroma blur at the edge) only
    # Outside: a ring around the piece is restyled like the rest of the wall, not the old wall kept.
    grown = cv2.dilate(tight.astype(np.uint8), np.ones((2 * RING_PX + 1,) * 2, np.uint8)).astype(bool)
    ring = grown & ~tight
    near_old_wall = np.abs(output - WALL).max(axis=2) < 30
    assert near_old_wall[ring].mean() < 0.1
    assert near_old_wall[ring].mean() <= near_old_wall[~grown].mean() + 0.05  # no worse than far from the piece
    # Right at the edge nothing fades towards the old wall either (the feather runs inward).
    edge = cv2.dilate(tight.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool) & ~tight
    from_wall = np.abs(output - WALL).sum(axis=2)
    print(f"distance from the old wall: edge {from_wall[edge].mean():.1f}, far {from_wall[~grown].mean():.1f}")
    assert from_wall[edge].mean() >= 0.9 * from_wall[~grown].mean()

    # The latents repaint everything outside the piece, and a latent cell into it.
    repaint = np.asarray(inpaint.calls[0]["mask_image"].convert("L")) > 127
    assert repaint[~tight].all()
    assert repaint[y1:y1 + 8, x1:x2].all() and not repaint[core].all()
