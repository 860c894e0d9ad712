"""The one photo decoder: bytes in, upright sRGB pixels out, with no metadata left.

The web's upload check (designs/uploads.py) and the pipeline (gpu/imaging.py, the Replicate engine) call `decode`,
so a photo reads the same on both sides. Pillow only (and pillow-heif where it is installed): the web image has
no NumPy or torch.

In order: the header is read and checked (format by content, pixel cap) before a pixel is decoded; a JPEG decodes
at a reduced scale when that still covers what the caller keeps; EXIF orientation is applied; an embedded colour
profile (phones tag their photos Display P3), or a HEIF's nclx colour description that names Display P3 or BT.2020,
converts the pixels to sRGB (after shrinking a photo that could not decode at a reduced scale, such as a HEIC, by a
whole factor: the conversion costs per pixel), and only then is it dropped with the rest of the metadata (EXIF, GPS,
XMP). Each caller resizes and encodes the result as it needs.
"""
from __future__ import annotations

import io
import math

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from gpu import icc

try:  # iPhone photos (.heic, .heif). The GPU images lack the plugin: they only get the JPEG the web stored.
    from pillow_heif import register_heif_opener
except ImportError:
    register_heif_opener = None

# MPO is what phones save for multi-picture shots (a JPEG followed by more frames, e.g. depth or portrait mode):
# Pillow opens its first frame, and callers keep only the pixels of that one.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})
if register_heif_opener is not None:
    register_heif_opener()

# The pixel cap, from the header, for photos and masks alike; larger is a decompression bomb, not a photo. Phones
# save at most 48 MP (8064 x 6048), 50 MP (8192 x 6144) or 64 MP (9248 x 6936) in their high-resolution modes;
# 108 and 200 MP shots come out over the 15 MB upload limit. One decode then holds at most 65 MP x 4 bytes
# (RGBA), about 260 MB; a JPEG, drafted, far less. designs/apps.py gives Pillow the same cap (it warns above it
# and refuses above twice it).
MAX_PIXELS = 65_000_000

WHITE = (255, 255, 255)  # what transparent pixels become: a room photo has no transparency to keep
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# A profile converts pixels of its own colour space; anything else is flattened to RGB first.
PROFILE_MODES = {"RGB": "RGB", "CMYK": "CMYK", "GRAY": "L"}
# A HEIF without an ICC profile describes its colour with an nclx box (ITU-T H.273 code points; pillow-heif puts it
# in info["nclx_profile"]), as many Android phones save. The primaries we convert from, each with the white D65:
NCLX_PROFILES = {9: icc.bt2020_srgb_curve, 12: icc.display_p3}  # BT.2020, SMPTE EG 432-1 (Display P3)
# The transfers taken as the sRGB curve: sRGB itself (13), and BT.709's family (1, 6, 14, 15), whose camera curve is
# displayed as sRGB by browsers. The profile puts the same curve on both sides, so greys stay as they are and only
# the primaries move. Other primaries (1 is sRGB's own, 2 unspecified, 11 is cinema P3 with its own white) and other
# transfers (PQ, HLG, linear) are left as they are: the values are read as sRGB, as without any description.
NCLX_SRGB_LIKE_TRANSFERS = frozenset({1, 6, 13, 14, 15})

UNSUPPORTED = "unsupported"
TOO_MANY_PIXELS = "too_many_pixels"
UNREADABLE = "unreadable"


class PhotoError(ValueError):
    """The bytes are not a photo we take. `reason` is one of UNSUPPORTED, TOO_MANY_PIXELS or UNREADABLE."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message  # for people


def decode(data: bytes, *, long_side: int) -> Image.Image:
    """An RGB image in sRGB, upright, with no metadata. A JPEG comes out at the smallest scale (1/2, 1/4, 1/8)
    that still has `long_side` on its long side; other formats at full size, or, when their colour is converted, at
    the smallest whole fraction (1/2, 1/3, ...) that still has it. The caller resizes."""
    image = open_checked(data, formats=ACCEPTED_FORMATS, draft_long_side=long_side)
    profile = colour_profile(image.info)  # read before anything below drops it
    ImageOps.exif_transpose(image, in_place=True)
    srgb = to_srgb(image, profile, long_side=long_side)
    srgb.info = {}  # no EXIF, GPS, XMP or colour profile travels on: the pixels are sRGB now
    return srgb


def open_checked(data: bytes, *, formats: frozenset[str], draft_long_side: int | None = None) -> Image.Image:
    """Decoded pixels, in the file's own mode, after the format and the pixel cap were checked on the header.

    No warnings.catch_warnings() around Pillow's bomb warning: it swaps the process-wide filter list, and the web
    and the worker decode on several threads at once, so one thread could restore another's filters.
    """
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
        if image.format not in formats:
            raise PhotoError(UNSUPPORTED, "Upload a JPEG, PNG, WebP or HEIC photo.")
        if image.width * image.height > MAX_PIXELS:
            raise PhotoError(TOO_MANY_PIXELS, f"The photo has too many pixels ({image.width} x {image.height}; "
                                              f"at most {MAX_PIXELS // 1_000_000} megapixels).")
        if draft_long_side:
            _draft(image, draft_long_side)
        image.load()
    except PhotoError:
        raise
    except Image.DecompressionBombError:  # Pillow's own cap, a second line
        raise PhotoError(TOO_MANY_PIXELS, "The photo has too many pixels.") from None
    except UnidentifiedImageError:
        raise PhotoError(UNSUPPORTED, "The file is not a JPEG, PNG, WebP or HEIC photo.") from None
    # ImportError: ultralytics, once imported, wraps Image.open to load a HEIF plugin it may lack (gpu/loading.py
    # puts Pillow's back; this is the second line).
    except (OSError, SyntaxError, ValueError, ImportError):
        raise PhotoError(UNREADABLE, "The photo could not be read; it may be damaged.") from None
    return image


def _draft(image: Image.Image, long_side: int) -> None:
    # Only JPEG (and MPO) drafts: it decodes at 1/2, 1/4 or 1/8 scale directly, and the whole stream is still read
    # and checked. A 12 MP photo kept at 1600 px then costs a quarter of the pixels. Other formats ignore this.
    scale = long_side / max(image.size)
    if scale < 1:
        image.draft("RGB", (math.ceil(image.width * scale), math.ceil(image.height * scale)))


def colour_profile(info: dict) -> bytes | None:
    """The ICC profile of the pixels: the embedded one, else one built for a HEIF's nclx description that we convert
    from; None when the values are to be read as sRGB."""
    return info.get("icc_profile") or nclx_profile(info.get("nclx_profile"))


def nclx_profile(nclx: dict | None) -> bytes | None:
    """The ICC profile for an nclx colour description (pillow-heif's dict), or None to leave the values as they are:
    only Display P3 and BT.2020 primaries with an sRGB-like transfer are converted."""
    if not nclx or nclx.get("transfer_characteristics") not in NCLX_SRGB_LIKE_TRANSFERS:
        return None
    build = NCLX_PROFILES.get(nclx.get("color_primaries"))
    return build() if build else None


def to_srgb(image: Image.Image, profile: bytes | None, *, long_side: int | None = None) -> Image.Image:
    """RGB pixels in sRGB. Without a profile the values already are sRGB (the web's convention). With `long_side`, an
    image converted is first shrunk by the largest whole factor that keeps `long_side` (see `_reduced`)."""
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            space = source.profile.xcolor_space.strip()
            pixels = image if image.mode == PROFILE_MODES.get(space) else flatten(image)
            return ImageCms.profileToProfile(_reduced(pixels, long_side), source, SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile, or one that does not fit the pixels: the raw values are the best guess
    return flatten(image)


def _reduced(image: Image.Image, long_side: int | None) -> Image.Image:
    """Before a colour conversion: the image shrunk by the largest whole factor that still has `long_side` on its long
    side (box averages, what a JPEG's draft does while it decodes), so the per-pixel conversion of a 12 MP HEIC runs
    on the 3 MP the web keeps 1600 px of, not on all 12. Converting after shrinking differs from converting before
    only in which colour space the pixels were averaged in: at most a few levels on edges between saturated colours
    (tests/gpu/test_photo_colour_after_reduce.py holds it to its tolerance)."""
    factor = max(image.size) // long_side if long_side else 1
    return image.reduce(factor) if factor > 1 else image


def flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency over white."""
    if image.mode.startswith("I;16") or image.mode == "I":  # 16-bit grey: convert("RGB") would clip it to white
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "P", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", image.size, WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")
