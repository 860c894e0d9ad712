"""The data export of an account with three designs: one ZIP, built by the real worker, holding every design's
photo, results and control maps, and a JSON file with everything a person would look for."""
from __future__ import annotations

import io
import json
import zipfile
from urllib.parse import urlsplit

from PIL import Image

from accounts.models import User
from billing.selectors import plan_get
from billing.services import subscription_change
from tests.accounts.conftest import export_ready
from tests.conftest import PASSWORD
from tests.designs.conftest import submit, wait_for
from tests.mailserver import link_in, text_of


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    assert 'filename="restyle-data-' in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_it_exports_three_designs_with_their_images_and_every_field(worker, alice, alice_api, client, mailbox):
    staff = User.objects.create_user("staff@example.com", PASSWORD, is_staff=True)
    subscription_change(user=alice, plan=plan_get(code="premium"), changed_by=staff, note="a gift")
    styles = ("japandi", "scandinavian", "industrial")
    ids = [submit(alice_api, style=style, prompt=f"a {style} room", variations=str(1 + (i == 1))).json()["id"]
           for i, style in enumerate(styles)]
    states = [wait_for(alice_api, design_id) for design_id in ids]
    assert [s["status"] for s in states] == ["completed"] * 3

    state = export_ready(alice_api)

    assert state["download_url"].startswith("http://testserver/account/export/") and state["size"] > 0
    [mail] = [m for m in mailbox.wait(1) if m["Subject"] == "Your Restyle data is ready to download"]
    assert mail["To"] == "alice@example.com"
    assert link_in(mail) == state["download_url"] and "alice@example.com" in text_of(mail)
    client.force_login(alice)
    archive = _zip(client.get(urlsplit(state["download_url"]).path))
    assert archive.testzip() is None
    names = set(archive.namelist())
    data = json.loads(archive.read("restyle-data.json"))

    assert "README.txt" in names
    assert data["account"] == {**data["account"], "id": alice.pk, "email": "alice@example.com",
                               "email_verified": True}
    assert {"date_joined", "last_login"} <= set(data["account"])
    assert data["plan"]["code"] == "premium" and data["plan"]["daily_limit"] == 20
    [subscription] = data["subscriptions"]
    assert (subscription["plan"], subscription["note"], subscription["ended_at"]) == ("premium", "a gift", None)
    ledger = data["usage"]["ledger"]
    assert sorted((e["design_id"], e["kind"], e["units"]) for e in ledger) == sorted(
        (design_id, "reserve", 1 + (i == 1)) for i, design_id in enumerate(ids))
    assert sum(day["used"] for day in data["usage"]["daily"]) == 4
    assert {c["design_id"] for c in data["gpu_charges"]} == set(ids)
    assert [t["name"] for t in data["api_tokens"]] == ["test"] and "key_hash" not in data["api_tokens"][0]

    assert data["payments"] is None  # never bought a plan (tests/billing: payments)
    assert [d["id"] for d in data["designs"]] == ids  # oldest first
    for design, state, style in zip(data["designs"], states, styles, strict=True):
        assert (design["status"], design["style"], design["preferences"]["prompt"]) == (
            "completed", style, f"a {style} room")
        assert {"created_at", "started_at", "finished_at", "room_type", "detected_room_type", "variations",
                "resolution", "metadata", "error"} <= set(design)
        assert design["metadata"]["processing_time"] == state["metadata"]["processing_time"]
        assert (design["mode"], design["mask"], design["upscales"]) == ("restyle", None, [])
        original = Image.open(io.BytesIO(archive.read(design["original"])))
        assert design["original"] == f"designs/{design['id']}/original.jpg"
        assert original.size == (design["original_width"], design["original_height"])
        assert len(design["results"]) == len(state["results"]) == design["variations"]
        for result, api_result in zip(design["results"], state["results"], strict=True):
            image = Image.open(io.BytesIO(archive.read(result["image"])))
            assert image.size == (result["width"], result["height"]) == (api_result["width"], api_result["height"])
            assert result["seed"] == api_result["seed"]
            assert result["thumbnail"] in names
        assert design["control_maps"], design
        for path in design["control_maps"].values():
            assert Image.open(io.BytesIO(archive.read(path))).format == "PNG"
    files = {n for n in names if n.startswith("designs/")}
    assert files == {p for d in data["designs"] for p in [d["original"], *d["control_maps"].values(),
                                                         *(r[k] for r in d["results"] for k in ("image", "thumbnail"))]}
