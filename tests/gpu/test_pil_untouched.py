"""Loading the models leaves Pillow as it was: an unreadable file is still UnidentifiedImageError."""
from __future__ import annotations

import io

import pytest
from PIL import Image, UnidentifiedImageError

from tests.gpu.support import tiny_models


def test_it_leaves_pils_open_alone_after_loading_the_detector():
    tiny_models()
    with pytest.raises(UnidentifiedImageError):
        Image.open(io.BytesIO(b"not a photo at all"))
