"""Pixels in and out: decoding uploads, sizes, encodings, control maps, previews, compositing."""
from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from gpu import photos
from gpu.errors import InvalidImage

# Even sides (JPEG's chroma halves them). The model runs on a bucket shape (gpu/buckets.py), not at this size,
# so it need not be a multiple of 8, which at 512 px would miss a 21:9 photo's ratio by 1.6%.
SIZE_MULTIPLE = 2
LATENT_CELL = 8  # SD 1.5's VAE downsamples by 8: one latent covers 8 x 8 pixels
THUMBNAIL_SIDE = 384
CANNY_THRESHOLDS = (100, 200)  # what the ControlNet v1.1 canny model card uses

# A linear map from SD 1.5's four latent channels to RGB (rows: channels). It lets a
# preview skip the VAE decoder: a blurry but recognisable picture for a matrix product.
LATENT_RGB = np.array(
    [
        [0.298, 0.207, 0.208],
        [0.187, 0.286, 0.173],
        [-0.158, 0.189, 0.264],
        [-0.184, -0.271, -0.473],
    ],
    dtype=np.float32,
)


def fit_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    """The output size: long side = `long_side`, aspect ratio kept, both sides even."""
    scale = long_side / max(width, height)

    def snap(side: int) -> int:
        return max(SIZE_MULTIPLE, round(side * scale / SIZE_MULTIPLE) * SIZE_MULTIPLE)

    return snap(width), snap(height)


def decode_photo(data: bytes, long_side: int) -> Image.Image:
    """An upload as an upright sRGB image of the output size, with no metadata left (gpu.photos, as the web's)."""
    try:
        image = photos.decode(data, long_side=long_side)
    except photos.PhotoError as error:
        raise InvalidImage(error.message) from error
    return image.resize(fit_size(image.width, image.height, long_side), Image.Resampling.LANCZOS, reducing_gap=3.0)


def encode_jpeg(image: Image.Image, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def thumbnail(image: Image.Image, long_side: int = THUMBNAIL_SIDE) -> Image.Image:
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return copy


def to_array(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.uint8)


def canny_edges(rgb: np.ndarray) -> np.ndarray:
    """A uint8 edge map (0 or 255), lightly blurred first so sensor noise does not become edges."""
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.Canny(gray, *CANNY_THRESHOLDS)


def gray_to_rgb_image(gray: np.ndarray) -> Image.Image:
    return Image.fromarray(np.repeat(gray[..., None], 3, axis=2))


def latent_preview(latents: np.ndarray, long_side: int = 256, quality: int = 70) -> bytes:
    """A small JPEG from one (4, h, w) latent, without the VAE: SD 1.5's linear latent-to-RGB map."""
    rgb = np.tensordot(latents.transpose(1, 2, 0), LATENT_RGB, axes=1)
    rgb = np.nan_to_num((rgb + 1.0) * 127.5, nan=0.0).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(rgb)
    scale = long_side / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)
    return encode_jpeg(image, quality=quality)


def feathered_inward(mask: np.ndarray, feather_px: int) -> np.ndarray:
    """A float paste weight: exactly 0 outside `mask`, rising to 1 over `feather_px` inside it.

    Keep-furniture pastes the photo back through this, so the seam lies on the piece's own
    edge: nothing of the old wall or floor around it survives (an outward feather would
    keep a band of it), and only the outermost pixels of the piece are blended.
    """
    hard = (mask > 0).astype(np.uint8)
    if feather_px <= 0 or not hard.any():
        return hard.astype(np.float32)
    inside = cv2.distanceTransform(hard, cv2.DIST_L2, 5)  # 1 on the edge pixels, 0 outside
    return np.clip(inside / (feather_px + 1), 0.0, 1.0).astype(np.float32)


def latent_keep(mask: np.ndarray, margin_px: int = LATENT_CELL) -> np.ndarray:
    """The part of a keep mask the inpaint latents may hold fixed: `mask` shrunk by a latent cell.

    Latents are 8x coarser than pixels; a cell straddling the piece's outline would carry
    the old wall beside it into the result. Shrunk, every such cell is repainted (the
    repaint mask grows by one cell), and the pixel paste restores the piece up to its edge.
    """
    hard = (mask > 0).astype(np.uint8) * 255
    if margin_px <= 0:
        return hard
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin_px + 1, 2 * margin_px + 1))
    return cv2.erode(hard, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=255)


def feathered(mask: np.ndarray, feather_px: int) -> np.ndarray:
    """A float mask in [0, 1] that is exactly 1 on `mask` and fades to 0 over `feather_px` outside it."""
    hard = (mask > 0).astype(np.float32)
    if feather_px <= 0 or not hard.any():
        return hard
    soft = cv2.GaussianBlur(hard, (0, 0), sigmaX=feather_px / 2)
    return np.maximum(hard, soft)


def composite(original: np.ndarray, generated: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """original where weight is 1, generated where it is 0, blended between."""
    w = weight[..., None]
    blended = original.astype(np.float32) * w + generated.astype(np.float32) * (1.0 - w)
    return blended.round().clip(0, 255).astype(np.uint8)
