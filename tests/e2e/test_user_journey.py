"""A new user signs up, restyles a room while watching live progress, compares before and after, finds the
design in the history and deletes it."""
from __future__ import annotations

import json
import re

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from designs.models import Design
from tests.conftest import PASSWORD
from tests.e2e.conftest import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]

DESIGN_URL = re.compile(r"/designs/[0-9a-f-]{36}/$")

# Runs in every page before its own scripts: keeps what the progress view showed in sessionStorage, which
# survives the reload into the finished page, so the test can check the bar never went back.
RECORD_PROGRESS = """
document.addEventListener("DOMContentLoaded", () => {
  const bar = document.getElementById("progress-bar");
  if (!bar) return;
  const keep = (key, value) => {
    const seen = JSON.parse(sessionStorage.getItem(key) || "[]");
    if (seen[seen.length - 1] !== value) { seen.push(value); sessionStorage.setItem(key, JSON.stringify(seen)); }
  };
  const record = () => {
    keep("bar", Number(bar.value));
    const current = document.querySelector("#stages li.current");
    if (current) keep("stages", current.textContent);
    keep("eta", document.getElementById("eta").textContent);
  };
  new MutationObserver(record).observe(document.getElementById("progress-card") || bar.closest("section"),
    {subtree: true, attributes: true, childList: true, characterData: true});
  record();
});
"""


def test_a_new_user_restyles_a_room_and_deletes_it(visit, worker_control, room_photo):
    browser = visit()
    page = browser.page
    frames: list[dict] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(json.loads(payload))))
    page.add_init_script(RECORD_PROGRESS)

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your room, in any style")
    browser.screenshot("landing")

    page.get_by_role("link", name="Sign up free").click()
    page.get_by_label("Email").fill("journey@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    browser.screenshot("signup")
    page.get_by_role("button", name="Sign up").click()

    expect(page).to_have_url(re.compile(r"/designs/new/$"))
    page.set_input_files("#image", room_photo)
    expect(page.get_by_alt_text(re.compile("^Preview of your photo"))).to_be_visible()
    page.get_by_role("radio", name=re.compile("^Modern")).focus()  # the style cards are one radio group:
    page.keyboard.press("ArrowRight")  # the arrow keys move through them
    expect(page.get_by_role("radio", name=re.compile("^Scandinavian"))).to_be_checked()
    expect(page.locator("label[for=style-scandinavian]")).to_have_css("outline-style", "solid")  # focus shows
    page.get_by_label("Room type", exact=True).select_option(label="Living room")
    page.get_by_label("Keep my furniture").check()
    page.get_by_role("button", name="Add a colour").click()
    page.get_by_label("Wall colour", exact=True).fill("sage green")
    page.get_by_label("Result size").select_option("512")
    browser.screenshot("new-design")
    page.get_by_role("button", name="Restyle my room").click()

    expect(page).to_have_url(DESIGN_URL)
    expect(page.locator("#connection")).to_have_text("Live updates on")  # the socket is open before the worker starts
    expect(page.locator("#stages li.current")).to_have_text("Waiting in line")
    expect(page.get_by_alt_text(re.compile("^Live preview"))).to_be_hidden()  # until the first preview arrives
    expect(page.get_by_text("The live preview appears here")).to_be_visible()
    browser.screenshot("design-progress")
    worker_control.start()

    slider = page.get_by_label("Compare before and after")
    expect(slider).to_be_visible(timeout=120_000)
    _check_live_progress(page, frames)

    design = Design.objects.get()
    assert design.status == "completed" and design.style == "scandinavian" and design.room_type == "living_room"
    assert design.preferences["keep_furniture"] is True and design.preferences["wall_color"] == "sage green"
    _use_the_slider(page, slider)
    browser.screenshot("design-completed")

    page.get_by_role("link", name="My designs").click()
    card = page.locator(".gallery-item")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Scandinavian living room")
    expect(card).to_contain_text("Completed")
    page.get_by_label("Style").select_option(label="Boho")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("No designs match these filters")).to_be_visible()
    page.get_by_label("Style").select_option(label="Scandinavian")
    page.get_by_role("button", name="Filter").click()
    expect(card).to_have_count(1)
    browser.screenshot("history")

    files = [design.original.name, *[r.image.name for r in design.results.all()]]
    card.get_by_role("link").click()
    expect(page).to_have_url(DESIGN_URL)
    page.get_by_role("button", name="Delete this design").click()
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_text("The design and all its files were deleted.")).to_be_visible()
    expect(page.get_by_text("No designs yet")).to_be_visible()
    assert not Design.objects.exists()
    assert not any(default_storage.exists(name) for name in files)


def _check_live_progress(page, frames: list[dict]) -> None:
    """The socket carried the design's events in order, and the page showed them without ever going back."""
    kinds = [frame["type"] for frame in frames]
    assert kinds[0] == "snapshot" and kinds[-1] == "completed" and kinds.count("progress") >= 5, kinds
    seqs = [frame["seq"] for frame in frames if frame["type"] == "progress"]
    assert seqs == sorted(seqs)
    assert any(frame.get("preview_url", "").startswith("data:image/") for frame in frames)

    recorded = {key: json.loads(page.evaluate(f"sessionStorage.getItem('{key}')") or "[]")
                for key in ("bar", "stages", "eta")}
    assert recorded["bar"] == sorted(recorded["bar"]) and recorded["bar"][-1] == 100, recorded["bar"]
    assert "Waiting in line" in recorded["stages"] and "Restyling" in recorded["stages"], recorded["stages"]
    assert any(re.match(r"About .+ left\.|Almost done", text) for text in recorded["eta"]), recorded["eta"]


def _use_the_slider(page, slider) -> None:
    """Keyboard only: the divider follows the range input, and the result is clipped at it."""
    compare = page.locator("#compare")
    after = page.locator("#compare-after")
    slider.focus()
    page.keyboard.press("Home")
    assert compare.evaluate("el => el.style.getPropertyValue('--pos')") == "0%"
    page.keyboard.press("End")
    assert compare.evaluate("el => el.style.getPropertyValue('--pos')") == "100%"
    assert "100%" in after.evaluate("el => getComputedStyle(el).clipPath")
    for _ in range(65):
        page.keyboard.press("ArrowLeft")
    expect(slider).to_have_value("35")
    expect(slider).to_have_attribute("aria-valuetext", re.compile("35% before"))
    assert page.evaluate("document.querySelector('#compare-after').naturalWidth") > 0  # the result really loaded
