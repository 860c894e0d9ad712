"""Object by object in the browser: a finished design's objects are outlined on its photo, light up with their
entry in the list, take a keep / replace / remove each, and the form makes a new design with those choices."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from designs.models import Design
from tests.e2e.conftest import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]

DESIGN_URL = re.compile(r"/designs/[0-9a-f-]{36}/$")
# tiny's random detector finds nothing to name: the finished design is given what it found, in its result's pixels.
FOUND = [{"id": 0, "label": "couch", "box": [100.0, 200.0, 300.0, 330.0], "confidence": 0.9},
         {"id": 1, "label": "chair", "box": [330.0, 170.0, 430.0, 320.0], "confidence": 0.8}]


def test_a_person_keeps_one_object_and_removes_another(visit, worker_control, room_photo):
    browser = visit()
    page = browser.page
    page.goto("/designs/new/")
    page.set_input_files("#image", room_photo)
    page.get_by_role("radio", name=re.compile("^Japandi")).check(force=True)
    page.get_by_label("Result size").select_option("512")
    page.get_by_role("button", name="Restyle my room").click()
    expect(page).to_have_url(DESIGN_URL)
    worker_control.start()
    expect(page.get_by_label("Compare before and after")).to_be_visible(timeout=120_000)

    source = Design.objects.get()
    source.metadata["furniture"] = FOUND
    source.save(update_fields=["metadata"])
    page.reload()

    section = page.get_by_role("region", name="Object by object")
    expect(section.locator(".object-outline")).to_have_count(2)
    couch, chair = page.get_by_role("group", name="Couch 1"), page.get_by_role("group", name="Chair 1")
    couch.hover()
    expect(section.locator('.object-outline[data-object="0"]')).to_have_class(re.compile("is-active"))
    expect(section.locator('.object-outline[data-object="1"]')).not_to_have_class(re.compile("is-active"))
    couch.get_by_role("radio", name="Keep").check()
    chair.get_by_role("radio", name="Remove").check()
    expect(section.locator('.object-outline[data-object="1"]')).to_have_attribute("data-action", "remove")
    section.locator('.object-outline[data-object="1"]').hover()
    expect(page.locator('.object-choice[data-object="1"]')).to_have_class(re.compile("is-active"))
    section.scroll_into_view_if_needed()
    browser.screenshot("objects-design-page")

    section.get_by_label("Style").select_option("boho")
    section.get_by_role("button", name="Make a design with these choices").click()
    expect(page).to_have_url(DESIGN_URL)
    design = Design.objects.exclude(pk=source.pk).get()
    assert page.url.endswith(f"/designs/{design.id}/")
    assert design.style == "boho"
    assert [(item["id"], item["action"]) for item in design.preferences["objects"]] == [(0, "keep"), (1, "remove")]
    expect(page.get_by_label("Compare before and after")).to_be_visible(timeout=120_000)
    browser.screenshot("objects-result")
