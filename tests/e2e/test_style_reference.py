"""A reference photo in the browser: a guest picks their room and a photo of a room they like, no named style, and
gets a design in that look; the design page shows the reference."""
from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from designs.models import Design
from tests.e2e.conftest import needs_chromium
from tests.e2e.test_modes import DESIGN_URL

pytestmark = [pytest.mark.e2e, needs_chromium]


def test_a_guest_takes_the_look_from_a_photo(visit, worker_control, room_photo, tmp_path):
    reference = tmp_path / "a-room-i-like.png"
    image = Image.new("RGB", (600, 400), (190, 60, 40))
    image.paste((30, 90, 200), (0, 0, 250, 400))
    image.save(reference)

    browser = visit()
    page = browser.page
    page.goto("/designs/new/")
    page.set_input_files("#image", room_photo)
    page.get_by_label("Take the look from a photo").set_input_files(reference)
    page.get_by_label("Result size").select_option("512")
    browser.screenshot("reference-new")
    page.get_by_role("button", name="Restyle my room").click()

    expect(page).to_have_url(DESIGN_URL)
    worker_control.start()
    expect(page.get_by_label("Compare before and after")).to_be_visible(timeout=120_000)
    shown = page.get_by_alt_text("Your style reference photo")
    expect(shown).to_be_visible()
    assert shown.evaluate("img => img.complete && img.naturalWidth") == 600
    browser.screenshot("reference-design")

    design = Design.objects.get()
    assert design.status == "completed" and design.style == "contemporary"
    assert design.reference.name.endswith("/reference.jpg")
    assert design.metadata["models"]["ip_adapter"] == "tiny"
