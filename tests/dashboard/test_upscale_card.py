"""The design page's "Print size" card: offered per plan, listing the design's upscales for upscale.js."""
from __future__ import annotations

import json
import re

from billing.selectors import plan_get
from billing.services import subscription_change
from designs.models import Upscale
from tests.dashboard.conftest import outline
from tests.designs.upscaling import completed_design


def _state(page: str) -> dict:
    return json.loads(re.search(r'<script id="design-state" type="application/json">(.*?)</script>', page, re.S)[1])


def test_it_offers_2x_and_4x_of_every_variation_on_a_premium_plan(alice_client, alice):
    subscription_change(user=alice, plan=plan_get(code="premium"))
    design = completed_design(alice, size=(256, 192))
    page = alice_client.get(f"/designs/{design.pk}/").content.decode()
    selects = outline(page).selects
    assert selects["upscale-factor"] == ["2", "4"] and selects["upscale-result"] == ["0"]
    assert "counts as 1 image of today" in page and "js/upscale.js" in page


def test_it_says_which_plan_has_it_instead_of_a_form_on_the_free_plan(alice_client, alice):
    design = completed_design(alice)
    page = alice_client.get(f"/designs/{design.pk}/").content.decode()
    assert "upscale-factor" not in outline(page).selects
    assert "comes with the Premium plan" in page


def test_it_hands_the_design_upscales_to_the_page(alice_client, alice):
    subscription_change(user=alice, plan=plan_get(code="premium"))
    design = completed_design(alice)
    Upscale.objects.create(design=design, result=design.results.get(), factor=4, status="completed", width=1024,
                           height=768, image="designs/x/upscale-1-4x-a1.jpg", deadline_at=design.deadline_at)
    upscales = _state(alice_client.get(f"/designs/{design.pk}/").content.decode())["upscales"]
    assert [(u["factor"], u["status"], u["width"], u["height"]) for u in upscales] == [(4, "completed", 1024, 768)]
    assert upscales[0]["url"]
