"""A labelled set for the layout score: room photos changed in ways a restyle may and may not change them.

Each pair is (source, output, label). Layout-keeping outputs (label True) are what a good
restyle does: recolour, new materials and textures, other lighting, furniture swapped in
place, a repainted look. Layout-breaking ones (label False) are what a bad one does:
shift, rotate, crop, warp or mirror the room, or show a different room altogether, most
of them recoloured too, so the score cannot spot them by colour alone.

Two splits that share nothing: "tune" (the cluttered living-room photo and synthetic rooms
from one set of seeds) picks the retry threshold; "holdout" (the home-theater render and
rooms from other seeds, transforms drawn from another seed) measures it. Everything is
seeded: the same set on every machine.

    python -m gpu.calibration            # ROC AUC, the tuned threshold, precision and recall on both splits
"""
from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from gpu import imaging, quality

_REPO = Path(__file__).resolve().parents[1]
FIXTURES = _REPO / "tests" / "fixtures" / "rooms"  # the fixture photos, carried in the repository
SPLITS = {
    # split -> (fixture photo, synthetic room seeds, transform seed)
    "tune": ("living-room-cluttered.jpg", (0, 1, 2, 3), 11),
    "holdout": ("home-theater-render.jpg", (100, 101, 102, 103), 29),
}
LONG_SIDE = 512  # the score works at quality.SCALE (384) anyway
PER_BASE = 8  # outputs of each kind per base room


@dataclass(frozen=True)
class Pair:
    source: np.ndarray
    output: np.ndarray
    keeps_layout: bool
    kind: str  # the transform's name


@dataclass(frozen=True)
class Figures:
    auc: float
    threshold: float
    precision: float  # of the retry: flagged outputs that really broke the layout
    recall: float  # layout-breaking outputs that get flagged
    pairs: int


def build(split: str, fixtures: Path = FIXTURES) -> list[Pair]:
    photo, room_seeds, seed = SPLITS[split]
    bases = [_load(fixtures / photo)] + [synthetic_room(np.random.default_rng(s)) for s in room_seeds]
    rng = np.random.default_rng(seed)
    pairs = []
    for index, base in enumerate(bases):
        others = [b for k, b in enumerate(bases) if k != index]
        for k in range(PER_BASE):
            name, keep = KEEPING[k % len(KEEPING)]
            pairs.append(Pair(base, keep(base, rng), True, name))
            name, brake = BREAKING[k % len(BREAKING)]
            output = brake(base, rng, others[k % len(others)]) if name == "other room" else brake(base, rng)
            pairs.append(Pair(base, output, False, name))
    return pairs


WEIGHTS = tuple(round(w, 1) for w in np.linspace(0, 1, 11))  # candidate quality.EDGE_WEIGHT values


def scores(pairs: list[Pair]) -> np.ndarray:
    """The pipeline's own score for each pair (gpu.quality.assess)."""
    return np.array([quality.assess(p.source, p.output).score for p in pairs])


def labels(pairs: list[Pair]) -> np.ndarray:
    return np.array([p.keeps_layout for p in pairs])


def tune(pairs: list[Pair]) -> tuple[float, float]:
    """(edge weight, retry threshold): the weight with the best ROC AUC (ties: nearest an even mix), its threshold."""
    edges = np.array([quality.edge_f1(p.source, p.output) for p in pairs])
    gradients = np.array([quality.gradient_correlation(p.source, p.output) for p in pairs])
    keeps = labels(pairs)

    def auc(weight: float) -> float:
        return round(roc_auc(weight * edges + (1 - weight) * gradients, keeps), 4)

    weight = max(WEIGHTS, key=lambda w: (auc(w), -abs(w - 0.5)))
    return weight, tune_threshold(weight * edges + (1 - weight) * gradients, keeps)


def roc_auc(values: np.ndarray, positive: np.ndarray) -> float:
    """P(a positive scores above a negative), ties counting half (the Mann-Whitney statistic)."""
    pos, neg = values[positive], values[~positive]
    greater = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(greater / (len(pos) * len(neg)))


def tune_threshold(values: np.ndarray, keeps: np.ndarray) -> float:
    """The retry threshold with the best F1 for catching layout-breaking outputs, midway between two scores."""
    ordered = np.unique(values)
    cuts = (ordered[:-1] + ordered[1:]) / 2 if len(ordered) > 1 else ordered
    best = max(cuts, key=lambda cut: (_f1(*_precision_recall(values, keeps, cut)), -cut))
    return round(float(best), 3)


def evaluate(pairs: list[Pair], threshold: float = quality.RETRY_BELOW) -> Figures:
    values, keeps = scores(pairs), labels(pairs)
    precision, recall = _precision_recall(values, keeps, threshold)
    return Figures(roc_auc(values, keeps), threshold, precision, recall, len(pairs))


def _precision_recall(values: np.ndarray, keeps: np.ndarray, threshold: float) -> tuple[float, float]:
    flagged, broken = values < threshold, ~keeps
    caught = float((flagged & broken).sum())
    precision = caught / flagged.sum() if flagged.any() else 1.0
    return precision, caught / broken.sum()


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def _load(path: Path) -> np.ndarray:
    return imaging.to_array(imaging.decode_photo(path.read_bytes(), LONG_SIDE))


# -- synthetic rooms: one-point perspective boxes with openings and furniture --------------

def synthetic_room(rng: np.random.Generator, size: tuple[int, int] = (LONG_SIDE, 384)) -> np.ndarray:
    width, height = size
    image = np.zeros((height, width, 3), dtype=np.uint8)
    # The back wall: a rectangle around a vanishing point off the centre, so the room is not symmetric.
    cx, cy = width * rng.uniform(0.35, 0.65), height * rng.uniform(0.4, 0.55)
    bw, bh = width * rng.uniform(0.3, 0.5), height * rng.uniform(0.35, 0.5)
    x1, y1, x2, y2 = cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2
    corners = {"tl": (0, 0), "tr": (width, 0), "br": (width, height), "bl": (0, height)}
    back = {"tl": (x1, y1), "tr": (x2, y1), "br": (x2, y2), "bl": (x1, y2)}
    planes = [("tl", "tr"), ("tr", "br"), ("br", "bl"), ("bl", "tl")]  # ceiling, right wall, floor, left wall
    for a, b in planes:
        quad = np.array([corners[a], corners[b], back[b], back[a]], dtype=np.int32)
        cv2.fillPoly(image, [quad], _colour(rng))
    cv2.rectangle(image, (int(x1), int(y1)), (int(x2), int(y2)), _colour(rng), -1)
    # A window on the back wall and a door on one side wall.
    wx, wy = rng.uniform(x1 + 0.05 * bw, x1 + 0.45 * bw), rng.uniform(y1 + 0.1 * bh, y1 + 0.3 * bh)
    cv2.rectangle(image, (int(wx), int(wy)), (int(wx + 0.35 * bw), int(wy + 0.4 * bh)), (225, 235, 245), -1)
    cv2.rectangle(image, (int(wx), int(wy)), (int(wx + 0.35 * bw), int(wy + 0.4 * bh)), (90, 90, 90), 2)
    side = rng.integers(2)
    dx = x1 * rng.uniform(0.3, 0.6) if side == 0 else x2 + (width - x2) * rng.uniform(0.2, 0.5)
    door = np.array([[dx, height * 0.2], [dx + 0.12 * width, height * 0.15],
                     [dx + 0.12 * width, height * 0.85], [dx, height * 0.8]], dtype=np.int32)
    cv2.fillPoly(image, [door], _colour(rng))
    # Furniture: boxes on the floor.
    for _ in range(rng.integers(2, 5)):
        fx, fy = rng.uniform(0.05, 0.75) * width, rng.uniform(0.6, 0.8) * height
        fw, fh = rng.uniform(0.1, 0.25) * width, rng.uniform(0.1, 0.2) * height
        cv2.rectangle(image, (int(fx), int(fy)), (int(fx + fw), int(fy + fh)), _colour(rng), -1)
        cv2.rectangle(image, (int(fx), int(fy)), (int(fx + fw), int(fy + fh)), _colour(rng), 2)
    # Soft light and sensor noise, so nothing is perfectly flat.
    shade = np.linspace(rng.uniform(0.75, 1.0), rng.uniform(0.9, 1.15), width, dtype=np.float32)[None, :, None]
    noise = rng.normal(0, 4, image.shape)
    return np.clip(image * shade + noise, 0, 255).astype(np.uint8)


def _colour(rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(v) for v in rng.integers(30, 230, 3))


# -- layout-keeping changes ---------------------------------------------------------------

def _recolour(rgb, rng):
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.int32)
    hsv[..., 0] = (hsv[..., 0] + rng.integers(30, 150)) % 180
    hsv[..., 1] = np.clip(hsv[..., 1] * rng.uniform(0.5, 1.5), 0, 255)
    return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)


def _lighting(rgb, rng):
    values = (rgb.astype(np.float32) / 255) ** rng.uniform(0.6, 1.6)
    height, width = rgb.shape[:2]
    ramp = np.linspace(rng.uniform(0.6, 1.0), rng.uniform(0.9, 1.3), width if rng.integers(2) else height)
    light = ramp[None, :, None] if len(ramp) == width else ramp[:, None, None]
    tint = np.array([rng.uniform(0.85, 1.15), 1.0, rng.uniform(0.85, 1.15)])
    return np.clip(values * light * tint * 255, 0, 255).astype(np.uint8)


def _materials(rgb, rng):
    """New surface textures: a fine pattern (planks, weave) laid over the whole room, and a repaint."""
    height, width = rgb.shape[:2]
    period = rng.uniform(4, 10)
    angle = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    pattern = np.sin((xx * np.cos(angle) + yy * np.sin(angle)) * 2 * np.pi / period)
    grain = cv2.GaussianBlur(rng.normal(0, 1, (height, width)).astype(np.float32), (0, 0), 1.5)
    texture = 1 + 0.15 * pattern + 0.08 * grain
    return np.clip(_recolour(rgb, rng) * texture[..., None], 0, 255).astype(np.uint8)


def _furniture_swap(rgb, rng):
    """Three pieces replaced in place: each box gets other content (another part of the room, resized, recoloured)."""
    out = rgb.copy()
    height, width = rgb.shape[:2]
    for _ in range(3):
        w, h = int(width * rng.uniform(0.15, 0.3)), int(height * rng.uniform(0.12, 0.25))
        x, y = int(rng.uniform(0, width - w)), int(rng.uniform(height * 0.4, height - h))
        sx, sy = int(rng.uniform(0, width - w)), int(rng.uniform(0, height - h))
        patch = _recolour(np.ascontiguousarray(rgb[sy:sy + h, sx:sx + w][:, ::-1]), rng)
        out[y:y + h, x:x + w] = patch
    return out


def _repainted(rgb, rng):
    """What a diffusion restyle looks like up close: smoothed, posterised, recoloured, re-lit."""
    smooth = cv2.bilateralFilter(rgb, 9, 60, 7)
    levels = int(rng.integers(6, 12))
    posterised = (smooth // (256 // levels)) * (256 // levels) + (128 // levels)
    return _lighting(_recolour(posterised.astype(np.uint8), rng), rng)


def _redrawn(rgb, rng):
    """Noise, blur and JPEG: the pixel-level differences a generated image has everywhere."""
    blurred = cv2.GaussianBlur(rgb, (0, 0), rng.uniform(0.8, 2.0))
    noisy = np.clip(blurred + rng.normal(0, rng.uniform(5, 12), rgb.shape), 0, 255).astype(np.uint8)
    ok, data = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(40, 80))])
    return _recolour(cv2.imdecode(data, cv2.IMREAD_UNCHANGED), rng)


KEEPING: list[tuple[str, Callable]] = [
    ("recolour", _recolour), ("lighting", _lighting), ("materials", _materials),
    ("furniture swap", lambda rgb, rng: _lighting(_furniture_swap(rgb, rng), rng)),
    ("repainted", _repainted), ("redrawn", _redrawn),
]


# -- layout-breaking changes (each recoloured or re-lit too) -------------------------------

def _warp(rgb, matrix, perspective=False):
    height, width = rgb.shape[:2]
    if perspective:
        return cv2.warpPerspective(rgb, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
    return cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)


def _shifted(rgb, rng):
    height, width = rgb.shape[:2]
    dx, dy = rng.uniform(0.03, 0.09) * width * rng.choice([-1, 1]), rng.uniform(0, 0.04) * height
    return _recolour(_warp(rgb, np.float32([[1, 0, dx], [0, 1, dy]])), rng)


def _rotated(rgb, rng):
    height, width = rgb.shape[:2]
    angle = rng.uniform(2.5, 8) * rng.choice([-1, 1])
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0 + abs(angle) / 60)
    return _lighting(_warp(rgb, matrix), rng)


def _cropped(rgb, rng):
    height, width = rgb.shape[:2]
    share = rng.uniform(0.8, 0.92)
    w, h = int(width * share), int(height * share)
    x, y = int(rng.uniform(0, width - w)), int(rng.uniform(0, height - h))
    return _recolour(cv2.resize(rgb[y:y + h, x:x + w], (width, height), interpolation=cv2.INTER_LINEAR), rng)


def _perspective(rgb, rng):
    height, width = rgb.shape[:2]
    src = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    jitter = rng.uniform(0.03, 0.08, (4, 2)) * [width, height] * rng.choice([-1, 1], (4, 2))
    matrix = cv2.getPerspectiveTransform(src, (src + jitter).astype(np.float32))
    return _lighting(_warp(rgb, matrix, perspective=True), rng)


def _mirrored(rgb, rng):
    return _recolour(np.ascontiguousarray(rgb[:, ::-1]), rng)


def _other_room(rgb, rng, other):
    height, width = rgb.shape[:2]
    return _lighting(cv2.resize(other, (width, height), interpolation=cv2.INTER_AREA), rng)


BREAKING: list[tuple[str, Callable]] = [
    ("shift", _shifted), ("rotation", _rotated), ("crop", _cropped), ("perspective", _perspective),
    ("mirror", _mirrored), ("other room", _other_room),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=FIXTURES, help="folder of the fixture room photos")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tuning = build("tune", args.fixtures)
    weight, threshold = tune(tuning)
    print(f"tuned on 'tune': edge weight {weight}, retry threshold {threshold}  "
          f"(gpu.quality: EDGE_WEIGHT {quality.EDGE_WEIGHT}, RETRY_BELOW {quality.RETRY_BELOW})")
    for split, pairs in (("tune", tuning), ("holdout", build("holdout", args.fixtures))):
        figures = evaluate(pairs, quality.RETRY_BELOW)
        print(f"{split:8s} pairs {figures.pairs:3d}  ROC AUC {figures.auc:.3f}  at {figures.threshold}: "
              f"precision {figures.precision:.3f}  recall {figures.recall:.3f}")
        _by_kind(pairs)
    print(f"({time.perf_counter() - started:.1f} s)")


def _by_kind(pairs: list[Pair]) -> None:
    values = scores(pairs)
    kinds = sorted({p.kind for p in pairs}, key=lambda k: (not any(p.keeps_layout for p in pairs if p.kind == k), k))
    means = {k: np.mean([v for v, p in zip(values, pairs, strict=True) if p.kind == k]) for k in kinds}
    line = "  ".join(f"{k} {mean:.2f}" for k, mean in means.items())
    print(f"    mean score: {line}")


if __name__ == "__main__":
    main()
