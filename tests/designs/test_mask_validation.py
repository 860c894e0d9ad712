"""A bad edit mask is refused with 400 naming `mask`, before anything is stored or counted."""
from __future__ import annotations

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from billing.models import UsageEntry
from designs.models import Design
from tests.conftest import assert_error
from tests.designs.conftest import photo_bytes, submit, upload

pytestmark = pytest.mark.django_db

PHOTO_SIZE = (640, 465)  # the render fixture at photo_bytes()'s 640 px


def _png(array: np.ndarray, mode: str = "L", fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, fmt)
    return SimpleUploadedFile("mask.png", buffer.getvalue(), content_type="image/png")


def _painted(size=PHOTO_SIZE) -> np.ndarray:
    mask = np.zeros((size[1], size[0]), np.uint8)
    mask[size[1] // 4: size[1] // 2, size[0] // 4: size[0] // 2] = 255
    return mask


BAD_MASKS = {  # each with a word of the message that names what is wrong
    "jpeg": (lambda: _png(_painted(), fmt="JPEG"), "PNG"),
    "not an image": (lambda: SimpleUploadedFile("mask.png", b"not a png at all", content_type="image/png"), "PNG"),
    "empty": (lambda: _png(np.zeros((PHOTO_SIZE[1], PHOTO_SIZE[0]), np.uint8)), "empty"),
    "transparent": (lambda: _png(np.zeros((PHOTO_SIZE[1], PHOTO_SIZE[0], 4), np.uint8), "RGBA"), "empty"),
    "all white": (lambda: _png(np.full((PHOTO_SIZE[1], PHOTO_SIZE[0]), 255, np.uint8)), "whole photo"),
    "wrong aspect": (lambda: _png(_painted((640, 480))), "640x480"),  # 4:3 against the photo's 1.376:1, 3% off
}


@pytest.mark.parametrize("kind", list(BAD_MASKS))
def test_it_refuses_a_bad_mask_without_using_quota(alice_api, kind):
    make, words = BAD_MASKS[kind]
    response = submit(alice_api, mode="edit", prompt="a green wall", mask=make())
    error = assert_error(response, 400, field="mask")
    assert words in error["message"], error
    assert not Design.objects.exists() and not UsageEntry.objects.exists()
    assert alice_api.get("/api/v1/me/").json()["quota"]["used"] == 0


def test_it_accepts_a_mask_of_the_photos_shape_at_another_size(alice_api):
    half = (PHOTO_SIZE[0] // 2, round(PHOTO_SIZE[1] / 2))  # 320x232: the aspect within 1%
    response = submit(alice_api, mode="edit", prompt="a green wall", mask=_png(_painted(half)))
    assert response.status_code == 202, response.content
    design = Design.objects.get()
    assert design.mode == "edit" and design.mask.name.endswith("mask.png")
    with design.mask.open("rb") as stored:
        mask = Image.open(stored)
        assert mask.size == (design.original_width, design.original_height)


def test_it_reads_the_alpha_channel_of_a_painted_canvas(alice_api):
    rgba = np.zeros((PHOTO_SIZE[1], PHOTO_SIZE[0], 4), np.uint8)
    rgba[..., 3] = _painted()  # what the dashboard's canvas uploads: white strokes on transparency
    response = submit(alice_api, mode="edit", prompt="a green wall", mask=_png(rgba, "RGBA"))
    assert response.status_code == 202, response.content


def test_it_requires_a_mask_for_an_edit(alice_api):
    assert_error(submit(alice_api, mode="edit", prompt="a green wall"), 400, "required", "mask")
    assert not UsageEntry.objects.exists()


def test_it_refuses_a_mask_outside_an_edit(alice_api):
    assert_error(submit(alice_api, mode="declutter", mask=_png(_painted())), 400, field="mask")


def test_it_requires_a_wish_for_an_edit(alice_api):
    assert_error(submit(alice_api, mode="edit", mask=_png(_painted())), 400, "required", "prompt")


def test_it_refuses_an_unknown_mode(alice_api):
    assert_error(submit(alice_api, mode="paint", image=upload(photo_bytes())), 400, field="mode")
