"""The modes in the browser: a person paints a mask with the mouse, submits an edit and sees the result; each
mode's new-design page, the edit's design page with "select furniture", and the history, photographed."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from designs.models import Design
from tests.e2e.conftest import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]

DESIGN_URL = re.compile(r"/designs/[0-9a-f-]{36}/$")


def _drag(page, canvas, points: list[tuple[float, float]]) -> None:
    """A mouse stroke through `points`, given as fractions of the canvas's width and height."""
    canvas.scroll_into_view_if_needed()  # the mouse moves in the viewport's coordinates
    box = canvas.bounding_box()
    at = [(box["x"] + x * box["width"], box["y"] + y * box["height"]) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for point in at[1:]:
        page.mouse.move(*point, steps=8)
    page.mouse.up()


def test_a_guest_paints_a_mask_and_edits_one_area(visit, worker_control, room_photo):
    browser = visit()
    page = browser.page
    page.goto("/designs/new/")
    page.set_input_files("#image", room_photo)
    for code in ("declutter", "stage", "restyle"):  # each mode's form, as the person sees it
        page.locator(f"label[for=mode-{code}]").click()
        browser.screenshot(f"mode-{code}-new")
    expect(page.get_by_role("button", name="Restyle my room")).to_be_visible()

    page.locator("label[for=mode-edit]").click()
    expect(page.get_by_role("button", name="Change this area")).to_be_visible()
    expect(page.get_by_label("Keep my furniture")).to_be_hidden()
    canvas = page.get_by_label("Paint over the area to change")
    expect(canvas).to_be_visible()
    status = page.locator("#mask-editor .mask-status")
    expect(status).to_have_text("Nothing painted yet.")

    _drag(page, canvas, [(0.1, 0.1), (0.3, 0.1)])  # a stroke to undo
    expect(status).to_contain_text("Painted:")
    page.get_by_role("button", name="Undo").click()
    expect(status).to_have_text("Nothing painted yet.")
    page.get_by_label("Brush size").fill("120")
    _drag(page, canvas, [(0.45, 0.55), (0.7, 0.55), (0.7, 0.75), (0.45, 0.75)])
    page.get_by_role("button", name="Erase").click()
    _drag(page, canvas, [(0.45, 0.55), (0.5, 0.55)])  # a bite out of the corner
    expect(status).to_contain_text("Painted:")

    page.get_by_role("radio", name=re.compile("^Japandi")).check(force=True)
    page.get_by_role("button", name="Change this area").click()
    expect(page.locator("#error-prompt")).to_contain_text("painted area should become")  # the wish is needed
    page.get_by_label(re.compile("^Anything else you wish for")).fill("a green velvet armchair")
    page.get_by_label("Result size").select_option("512")
    browser.screenshot("mode-edit-new")
    page.get_by_role("button", name="Change this area").click()

    expect(page).to_have_url(DESIGN_URL)
    worker_control.start()
    expect(page.get_by_label("Compare before and after")).to_be_visible(timeout=120_000)
    expect(page.locator(".page-head .mode-tag")).to_have_text("Edit an area")

    design = Design.objects.get()
    assert design.status == "completed" and design.mode == "edit"
    assert design.preferences["prompt"] == "a green velvet armchair"
    with design.mask.open("rb") as stored:
        mask = np.asarray(Image.open(io.BytesIO(stored.read()))) > 0
    height, width = mask.shape
    assert (width, height) == (design.original_width, design.original_height)
    # Painted where the stroke went, not where it was undone, and the erased bite is gone again.
    assert mask[int(0.65 * height), int(0.6 * width)]
    assert not mask[int(0.1 * height), int(0.2 * width)]
    assert not mask[int(0.55 * height), int(0.47 * width)]
    assert 0.05 < mask.mean() < 0.4
    after = page.locator("#compare-after")
    assert after.evaluate("img => img.complete && img.naturalWidth") == design.results.get().width
    browser.screenshot("mode-edit-design")

    # The design page's own editor: "Select furniture" starts from the boxes the design found (tiny's random
    # detector finds none, so the design is given a couch here, in its result's pixels).
    design.metadata["furniture"] = [{"label": "couch", "box": [100.0, 200.0, 300.0, 330.0], "confidence": 0.9}]
    design.save(update_fields=["metadata"])
    page.reload()
    editor_status = page.locator("#edit-form .mask-status")
    expect(editor_status).to_have_text("Nothing painted yet.")
    page.get_by_role("button", name="Select furniture").click()
    expect(editor_status).to_contain_text("Painted:")
    browser.screenshot("mode-edit-select-furniture")

    page.get_by_role("link", name="My designs").click()
    expect(page.locator(".gallery-item .mode-tag")).to_have_text("Edit an area")
    browser.screenshot("mode-history")


def test_it_paints_with_a_finger_on_a_phone(visit, room_photo):
    phone = visit(mobile=True)
    page = phone.page
    page.goto("/designs/new/")
    page.set_input_files("#image", room_photo)
    page.locator("label[for=mode-edit]").click()
    canvas = page.get_by_label("Paint over the area to change")
    expect(canvas).to_be_visible()
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(page.locator("#mask-editor .mask-status")).to_contain_text("Painted:")
    phone.screenshot("mode-edit-phone")
