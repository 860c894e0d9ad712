"""Shape buckets: a few fixed latent sizes per resolution, so compiled graphs and cuDNN plans are reused.

Every photo's aspect ratio used to be a new tensor shape: no CUDA graph could be captured and cuDNN
re-tuned its convolutions per photo. Now the denoising runs at one of a handful of sizes per
resolution (five aspect ratios, landscape and portrait, both sides multiples of 64), and only the
photo's own pixels come back:

- the photo (at its delivery size: long side = resolution, multiples of 8, aspect kept) is scaled
  into the nearest bucket; the rest of the canvas is filled by mirroring the photo's edges, which
  the model continues naturally (a flat colour would draw a frame into the room);
- when the photo is within 1% of the bucket's aspect ratio it fills the bucket instead (at most a
  1% squeeze, invisible, and no wasted pixels);
- the generated canvas is cropped back to the photo's part and resized to the delivery size, so
  the delivered image keeps the photo's aspect ratio (±1%, the multiple-of-8 rounding).

Pure numpy/OpenCV: imported by the benchmark and the tests without torch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

MULTIPLE = 64  # latents 1/8 of the pixels, and the UNet halves them three times: 64 keeps every level whole
# The short side of each bucket, per long side: 1:1, ~8:7, 4:3, 8:5 (16:10) and 2:1. Photos from 9:16
# phones, 3:2 cameras and 16:9 screenshots all land within ~12% padding of one of them.
SHORT_SIDES: dict[int, tuple[int, ...]] = {
    512: (512, 448, 384, 320, 256),
    768: (768, 640, 576, 448, 384),
    1024: (1024, 896, 768, 640, 512),
}
FILL_TOLERANCE = 0.01  # a photo this close to a bucket's aspect ratio is stretched into it, not padded


def buckets_for(resolution: int) -> list[tuple[int, int]]:
    """Every (width, height) bucket of a resolution: landscape, then portrait (the square once)."""
    sides = SHORT_SIDES[resolution]
    landscape = [(resolution, short) for short in sides]
    portrait = [(short, resolution) for short in sides if short != resolution]
    return landscape + portrait


def smallest_bucket(resolution: int) -> tuple[int, int]:
    return min(buckets_for(resolution), key=lambda size: size[0] * size[1])


def nearest_bucket(width: int, height: int, resolution: int) -> tuple[int, int]:
    """The bucket whose aspect ratio is closest (in log scale: 2:1 is as far from 1:1 as 1:2)."""
    ratio = math.log(width / height)
    return min(buckets_for(resolution), key=lambda size: abs(math.log(size[0] / size[1]) - ratio))


@dataclass(frozen=True)
class Placement:
    """Where a photo of `size` sits on a bucket canvas, and how to get it back."""

    size: tuple[int, int]  # the photo's (width, height): what is delivered
    bucket: tuple[int, int]  # the canvas (width, height) the model runs at
    box: tuple[int, int, int, int]  # x, y, width, height of the photo on the canvas

    @property
    def padded(self) -> bool:
        return self.box[2:] != self.bucket

    def place(self, image: Image.Image | np.ndarray) -> Image.Image:
        """The image (photo-sized: RGB, or a one-channel mask) on the bucket canvas, edges mirrored outward."""
        pixels = np.asarray(image)
        x, y, width, height = self.box
        if pixels.shape[1::-1] != (width, height):
            pixels = cv2.resize(pixels, (width, height), interpolation=cv2.INTER_AREA)
        right, bottom = self.bucket[0] - x - width, self.bucket[1] - y - height
        if x or y or right or bottom:
            pixels = cv2.copyMakeBorder(pixels, y, bottom, x, right, cv2.BORDER_REFLECT_101)
        return Image.fromarray(pixels)

    def restore(self, canvas: np.ndarray) -> np.ndarray:
        """The photo's part of a generated (H, W, C) canvas, at the photo's size."""
        x, y, width, height = self.box
        part = canvas[y:y + height, x:x + width]
        if (width, height) == self.size:
            return part
        return cv2.resize(part, self.size, interpolation=cv2.INTER_AREA if width > self.size[0] else cv2.INTER_LINEAR)


def placement(size: tuple[int, int], resolution: int) -> Placement:
    width, height = size
    bucket = nearest_bucket(width, height, resolution)
    ratio, bucket_ratio = width / height, bucket[0] / bucket[1]
    if abs(ratio / bucket_ratio - 1) <= FILL_TOLERANCE:
        return Placement(size=size, bucket=bucket, box=(0, 0, *bucket))
    scale = min(bucket[0] / width, bucket[1] / height)
    inner = (min(bucket[0], round(width * scale)), min(bucket[1], round(height * scale)))
    x, y = (bucket[0] - inner[0]) // 2, (bucket[1] - inner[1]) // 2
    return Placement(size=size, bucket=bucket, box=(x, y, *inner))
