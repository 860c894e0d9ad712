"""An edit through the whole stack: API submit with a mask → real worker (tiny) → a result that is the photo,
pixel for pixel, everywhere outside the mask."""
from __future__ import annotations

import io

import cv2
import numpy as np
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from designs.models import Design
from gpu import imaging
from tests.designs.conftest import submit, wait_for

PHOTO_SIZE = (640, 465)  # the render fixture at photo_bytes()'s 640 px


def _mask() -> np.ndarray:
    mask = np.zeros((PHOTO_SIZE[1], PHOTO_SIZE[0]), np.uint8)
    mask[120:330, 200:420] = 255  # a sofa-sized area
    mask[40:90, 500:600] = 255  # and a second, separate one
    return mask


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_it_changes_only_the_painted_area(worker, alice_api):
    buffer = io.BytesIO()
    Image.fromarray(_mask()).save(buffer, "PNG")
    response = submit(alice_api, mode="edit", prompt="a green velvet armchair", seed="5",
                      mask=SimpleUploadedFile("mask.png", buffer.getvalue(), content_type="image/png"))
    assert response.status_code == 202, response.content
    state = wait_for(alice_api, response.json()["id"])
    assert state["status"] == "completed", state["error"]
    assert state["mode"] == "edit" and state["mask_url"]

    [result] = state["results"]
    delivered = Image.open(io.BytesIO(_download(alice_api, result["url"])))
    assert delivered.format == "PNG"  # JPEG would change the pixels the edit promises to keep
    output = np.asarray(delivered.convert("RGB"))
    # The photo as the pipeline saw it: the stored original at the result's size.
    photo = imaging.to_array(imaging.decode_photo(_download(alice_api, state["original_url"]), 512))
    assert output.shape == photo.shape

    design = Design.objects.get(pk=state["id"])
    with default_storage.open(design.maps["region"], "rb") as stored:
        region = np.asarray(Image.open(stored)) > 0
    # The area repainted is the person's mask at the result's size (give or take the scaling's edge pixel).
    painted = cv2.resize(_mask(), (output.shape[1], output.shape[0]), interpolation=cv2.INTER_NEAREST) > 0
    kernel = np.ones((5, 5), np.uint8)
    assert not (region & ~cv2.dilate(painted.astype(np.uint8), kernel).astype(bool)).any()
    assert (region | ~cv2.erode(painted.astype(np.uint8), kernel).astype(bool)).all()

    assert np.array_equal(output[~region], photo[~region]), "a pixel outside the mask changed"
    changed = np.abs(output[region].astype(int) - photo[region].astype(int)).mean()
    assert changed > 5, changed
    assert alice_api.get("/api/v1/me/").json()["quota"]["used"] == 1
