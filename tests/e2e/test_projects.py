"""A project in the browser: three photos of one home in, one style applied to all, a grid of before/after
results that fills in live, one photo re-rolled; every step photographed."""
from __future__ import annotations

import re

import pytest
from PIL import Image, ImageOps
from playwright.sync_api import expect

from accounts.models import User
from billing.services import quota_grant
from designs.models import Design
from projects.models import Project
from tests.conftest import PASSWORD
from tests.e2e.conftest import FIXTURES, needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]

PROJECT_URL = re.compile(r"/projects/[0-9a-f-]{36}/$")


@pytest.fixture
def home_photos(tmp_path) -> list:
    paths = []
    for number, (name, mirrored) in enumerate([("home-theater-render.jpg", False), ("living-room-cluttered.jpg", False),
                                               ("home-theater-render.jpg", True)], start=1):
        image = Image.open(FIXTURES / name).convert("RGB")
        image.thumbnail((640, 640))
        path = tmp_path / f"room-{number}.jpg"
        (ImageOps.mirror(image) if mirrored else image).save(path, "JPEG", quality=90)
        paths.append(path)
    return paths


def _grid_done(page, count: int = 3) -> None:
    pairs = page.locator("#project-grid .project-pair")
    expect(pairs).to_have_count(count)
    for index in range(count):
        expect(pairs.nth(index)).to_have_attribute("data-status", "completed", timeout=180_000)
        expect(pairs.nth(index).locator(".after-image")).to_be_visible()


def test_a_person_restyles_a_whole_home_and_rerolls_one_photo(visit, worker_control, home_photos):
    user = User.objects.create_user("home@example.com", PASSWORD)
    quota_grant(units=10, user=user, note="three photos, all of them again, and a re-roll")
    browser = visit()
    page = browser.page
    page.goto("/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Projects").click()
    expect(page.get_by_text("No projects yet")).to_be_visible()
    page.get_by_role("link", name="New project").first.click()
    page.get_by_label("Project name").fill("Our flat")
    page.set_input_files("#images", home_photos)
    page.locator("label[for=style-scandinavian]").click()
    page.get_by_label("Flooring").fill("light oak")
    page.get_by_label("Result size").select_option("512")  # the fastest, for seven designs on a CPU
    browser.screenshot("project-new")
    page.get_by_role("button", name="Restyle the whole home").click()

    expect(page).to_have_url(PROJECT_URL)
    expect(page.locator("#project-grid .project-pair")).to_have_count(3)
    browser.screenshot("project-queued")
    worker_control.start()
    _grid_done(page)
    project = Project.objects.get()
    first = {d.pk for d in Design.objects.filter(project_link__project=project)}
    assert len(first) == 3 and project.reference
    assert {d.resolution for d in Design.objects.filter(pk__in=first)} == {512}
    browser.screenshot("project-completed")

    page.locator(".apply-card summary").click()
    page.locator("label[for=apply-style-industrial]").click()
    page.get_by_role("button", name="Apply to all photos").click()
    expect(page.get_by_text("New designs of every photo are on their way.")).to_be_visible()
    _grid_done(page)
    latest = Design.objects.filter(project_link__project=project).exclude(pk__in=first)
    assert sorted(d.style for d in latest) == ["industrial"] * 3
    assert {d.resolution for d in latest} == {512}  # the project's size, kept by "apply to all"
    assert {d.preferences["seed"] for d in latest} == {project.seed}
    browser.screenshot("project-applied")

    seeds = page.locator(".pair-seed").all_inner_texts()
    page.locator(".project-pair").nth(1).get_by_role("button", name="Re-roll this photo").click()
    expect(page.locator(".project-pair").nth(1)).to_contain_text("(re-rolled)")
    _grid_done(page)
    after = page.locator(".pair-seed").all_inner_texts()
    assert after[0] == seeds[0] and after[2] == seeds[2] and after[1] != seeds[1]  # that photo only
    browser.screenshot("project-rerolled")
    assert Design.objects.filter(project_link__project=project).count() == 7

    page.get_by_role("link", name="My designs").click()  # the history says which project each design is of
    expect(page.locator(".gallery-item .project-tag")).to_have_count(7)
    expect(page.locator(".gallery-item .project-tag").first).to_have_text("Project: Our flat")
    browser.screenshot("project-history")
