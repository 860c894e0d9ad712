"""The dashboard's pages render what the person needs, for users and guests, and only their own designs."""
from __future__ import annotations

import pytest

from accounts.requester import GUEST_SESSION_KEY
from billing.models import Plan
from billing.services import quota_reserve
from designs.models import Status
from tests.dashboard.conftest import make_design, outline


def test_it_explains_the_product_and_offers_a_guest_trial(client, db):
    page = client.get("/").content.decode()
    assert "Your room, in any style" in page
    assert 'href="/designs/new/"' in page and 'href="/signup/"' in page and 'href="/login/"' in page
    assert "As a guest you can make 3 designs a day" in page
    assert GUEST_SESSION_KEY not in client.session  # looking is free: no session is stored for it


def test_it_shows_the_new_design_form_with_styles_and_the_plan_limits(alice_client):
    response = alice_client.get("/designs/new/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="style-scandinavian"' in page and "Light woods, soft whites" in page
    assert '<option value="">Detect for me</option>' in page
    assert outline(page).selects["variations"] == ["1", "2"]  # the free plan allows 2
    assert 'name="keep_furniture"' in page and 'id="creativity"' in page and 'id="prompt"' in page
    assert "5 of 5" in page


def test_it_limits_a_guest_to_the_guest_plan(client, db):
    page = client.get("/designs/new/").content.decode()
    assert outline(page).selects["variations"] == ["1"]
    assert "Trying Restyle as a guest" in page and "3 of 3" in page


def test_it_offers_the_variations_the_plan_allows_as_staff_set_them(alice_client):
    Plan.objects.filter(code="free").update(max_variations=3)  # what staff do in the admin
    page = alice_client.get("/designs/new/").content.decode()
    assert outline(page).selects["variations"] == ["1", "2", "3"]


def test_it_says_when_the_models_are_only_demo_models(alice_client, settings, monkeypatch):
    settings.GPU_BACKEND = "local"
    monkeypatch.setenv("MODEL_PROFILE", "tiny")
    assert "Demo models: results are not real designs" in alice_client.get("/designs/new/").content.decode()
    monkeypatch.setenv("MODEL_PROFILE", "sd15")
    assert "Demo models" not in alice_client.get("/designs/new/").content.decode()


def test_it_shows_a_running_design_with_its_stages(alice_client, alice):
    design = make_design(owner=alice, status=Status.TRANSFORMING, progress=0.4, message="Applying japandi style...")
    page = alice_client.get(f"/designs/{design.id}/").content.decode()
    assert "Applying japandi style..." in page
    assert f'data-ws-path="/ws/designs/{design.id}/"' in page
    assert 'id="progress-bar"' in page and 'value="40"' in page
    assert 'id="cancel"' in page and 'id="design-state"' in page


def test_it_shows_a_finished_design_with_the_slider_and_every_variation(alice_client, alice):
    design = make_design(owner=alice, status=Status.COMPLETED, results=2, detected_room_type="living_room",
                         metadata={"furniture": [{"label": "couch"}, {"label": "chair"}, {"label": "chair"}],
                                   "processing_time": 1.23, "models": {"sd15": "tiny"}})
    page = alice_client.get(f"/designs/{design.id}/").content.decode()
    assert 'type="range" id="compare-range"' in page
    assert page.count('class="variation"') == 2
    assert page.count("download=") == 3  # the slider's variation, and each one
    assert "Living room (detected)" in page and "chair ×2, couch" in page
    assert "80/100" in page and "81/100" in page
    assert "Demo models" in page  # the worker said it used the tiny models
    assert f'action="/designs/{design.id}/restyle/"' in page


def test_it_explains_a_failed_design(alice_client, alice):
    design = make_design(owner=alice, status=Status.FAILED, error_code="not_a_room",
                         error_message="This does not look like a room.")
    page = alice_client.get(f"/designs/{design.id}/").content.decode()
    assert "This design failed" in page and "This does not look like a room." in page
    assert '<option value="japandi" selected>' in page  # retrying as it was is the likely wish


def test_it_hides_other_peoples_designs(alice_client, bob):
    design = make_design(owner=bob)
    assert alice_client.get(f"/designs/{design.id}/").status_code == 404
    assert alice_client.post(f"/designs/{design.id}/restyle/", {"style": "boho"}).status_code == 404


def test_it_shows_a_guest_their_own_designs(client, db):
    session = client.session
    session[GUEST_SESSION_KEY] = "guest-key-1"
    session.save()
    mine = make_design(guest_key="guest-key-1")
    theirs = make_design(guest_key="guest-key-2")
    assert client.get(f"/designs/{mine.id}/").status_code == 200
    assert client.get(f"/designs/{theirs.id}/").status_code == 404
    page = client.get("/designs/").content.decode()
    assert str(mine.id) in page and str(theirs.id) not in page


@pytest.mark.parametrize("path", ["/designs/new/", "/"])
def test_it_gives_every_image_a_text_alternative(alice_client, alice, path):
    images = outline(alice_client.get(path).content.decode()).images
    assert all("alt" in image for image in images), images  # the photo preview's is set once a photo is chosen


@pytest.mark.parametrize(("status", "results", "expected"), [
    (Status.COMPLETED, 2, ["Before: your original photo", "After: your room in Japandi style, variation 1",
                           "Variation 1", "Variation 2", "Your photo, to paint over"]),  # the last: "Edit an area"
    (Status.TRANSFORMING, 0, ["Your original photo", "Live preview of your design while it is being made"]),
    (Status.FAILED, 0, ["Your original photo"]),
])
def test_it_describes_every_image_of_a_design(alice_client, alice, status, results, expected):
    design = make_design(owner=alice, status=status, results=results)
    images = outline(alice_client.get(f"/designs/{design.id}/").content.decode()).images
    assert [image.get("alt") for image in images] == expected


def test_it_names_every_design_in_the_history_beside_its_picture(alice_client, alice):
    make_design(owner=alice, status=Status.COMPLETED, results=1, room_type="bedroom")
    make_design(owner=alice, status=Status.FAILED, style="boho")
    images = outline(alice_client.get("/designs/").content.decode()).images
    assert len(images) == 2
    for image in images:
        # A picture inside a link is described by the link's own text (then alt="" keeps it from being read
        # twice), or else by its alt.
        link_text = " ".join((image["link"] or {}).get("text", "").split())
        assert image.get("alt") or (image.get("alt") == "" and link_text), image
    assert sorted(" ".join(image["link"]["text"].split()) for image in images) == ["Boho design",
                                                                                    "Japandi bedroom"]


def test_it_says_up_front_when_todays_quota_is_spent(alice_client, alice):
    quota_reserve(design=make_design(owner=alice), units=5)
    page = alice_client.get("/designs/new/").content.decode()
    assert "You have used all 5 images of today's quota" in page
