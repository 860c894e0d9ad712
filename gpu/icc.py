"""ICC profiles written byte by byte: v4 matrix/TRC RGB profiles from published primaries, for the colour spaces a
photo may name without embedding a profile (a HEIF's nclx box: Display P3, BT.2020).

Plain Python (no LittleCMS, NumPy or system files): the primaries and white point give the RGB → XYZ matrix, adapted
to the ICC's D50 connection space with Bradford, and every channel gets the sRGB curve. tests/display_p3.py checks a
profile built here against the published conversion matrix, not against this maths.
"""
from __future__ import annotations

import functools
import struct

D50 = (0.9642, 1.0, 0.8249)  # the ICC's profile connection space white
D65_XY = (0.3127, 0.3290)
P3_PRIMARIES = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))  # SMPTE EG 432-1 (Display P3), D65 white
BT2020_PRIMARIES = ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046))  # ITU-R BT.2020, D65 white
SRGB_CURVE = (2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045)  # parametric curve type 3: g, a, b, c, d
BRADFORD = ((0.8951, 0.2664, -0.1614), (-0.7502, 1.7135, 0.0367), (0.0389, -0.0685, 1.0296))


def _xyz(x: float, y: float) -> tuple[float, float, float]:
    return (x / y, 1.0, (1 - x - y) / y)


def _mul(a, b):
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3))


def _apply(m, v):
    return tuple(sum(m[i][k] * v[k] for k in range(3)) for i in range(3))


def _inverse(m):
    (a, b, c), (d, e, f), (g, h, i) = m
    det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)
    return tuple(tuple(v / det for v in row) for row in (
        (e * i - f * h, c * h - b * i, b * f - c * e),
        (f * g - d * i, a * i - c * g, c * d - a * f),
        (d * h - e * g, b * g - a * h, a * e - b * d)))


def _columns(primaries, white_xy):
    """RGB → XYZ under the white point: the primaries' XYZ, scaled so that 1, 1, 1 is the white."""
    raw = tuple(zip(*(_xyz(*p) for p in primaries), strict=True))  # rows X, Y, Z; columns R, G, B
    scale = _apply(_inverse(raw), _xyz(*white_xy))
    return tuple(tuple(raw[i][j] * scale[j] for j in range(3)) for i in range(3))


def _adaptation(white_xy):
    """Bradford: XYZ under `white_xy` → XYZ under D50."""
    source, target = _apply(BRADFORD, _xyz(*white_xy)), _apply(BRADFORD, D50)
    gain = tuple(tuple((target[i] / source[i]) if i == j else 0.0 for j in range(3)) for i in range(3))
    return _mul(_inverse(BRADFORD), _mul(gain, BRADFORD))


def _s15(*values: float) -> bytes:
    return b"".join(struct.pack(">i", round(v * 65536)) for v in values)


def _mluc(text: str) -> bytes:
    encoded = text.encode("utf-16-be")
    return b"mluc" + bytes(4) + struct.pack(">II2s2sII", 1, 12, b"en", b"US", len(encoded), 28) + encoded


def matrix_profile(description: str, primaries, white_xy=D65_XY) -> bytes:
    """An ICC v4 display profile: RGB with these primaries and white (CIE xy), the sRGB curve on every channel."""
    chad = _adaptation(white_xy)
    colorants = _mul(chad, _columns(primaries, white_xy))  # per column: R, G, B in D50
    curve = b"para" + bytes(4) + struct.pack(">HH", 3, 0) + _s15(*SRGB_CURVE)
    tags = [
        (b"desc", _mluc(description)),
        (b"cprt", _mluc("No copyright, use freely")),
        (b"wtpt", b"XYZ " + bytes(4) + _s15(*D50)),
        (b"chad", b"sf32" + bytes(4) + _s15(*(v for row in chad for v in row))),
        *((sig, b"XYZ " + bytes(4) + _s15(*(colorants[i][j] for i in range(3)))) for j, sig in
          enumerate((b"rXYZ", b"gXYZ", b"bXYZ"))),
        (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        table += struct.pack(">4sII", sig, offset + len(data), len(body))
        data += body + bytes(-len(body) % 4)
    size = offset + len(data)
    header = (struct.pack(">II4s4s4s4s", size, 0, bytes.fromhex("04300000"), b"mntr", b"RGB ", b"XYZ ")
              + struct.pack(">6H", 2026, 1, 1, 0, 0, 0) + b"acsp" + bytes(4 + 4 + 4 + 4 + 8 + 4) + _s15(*D50)
              + bytes(4 + 16 + 28))
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


@functools.cache
def display_p3() -> bytes:
    """As Apple's "Display P3.icc": P3 primaries, D65 white, the sRGB curve."""
    return matrix_profile("Display P3", P3_PRIMARIES)


@functools.cache
def bt2020_srgb_curve() -> bytes:
    """BT.2020 primaries, D65 white, the sRGB curve."""
    return matrix_profile("BT.2020 (sRGB curve)", BT2020_PRIMARIES)
