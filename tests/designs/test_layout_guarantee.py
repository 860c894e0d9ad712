"""The layout guarantee through the whole stack (API submit, real Dramatiq worker, tiny pipeline, ledger, page):
a result still below the threshold after its one redo is delivered marked and its image refunded once."""
from __future__ import annotations

from billing import services as billing
from billing.models import DailyUsage, UsageEntry
from designs.layout import KEPT, NOT_KEPT
from designs.models import Design
from designs.worker import design_run
from tests.designs.conftest import submit, wait_for

REFUND = UsageEntry.Kind.REFUND


def _page(client, alice, design_id: str) -> str:
    client.force_login(alice)
    response = client.get(f"/designs/{design_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_refunds_once_and_marks_a_result_that_loses_the_layout_twice(worker, alice, alice_api, client,
                                                                        design_row, monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "1.01")  # above any score: every variation fails, twice
    design_id = submit(alice_api, variations="2").json()["id"]
    state = wait_for(alice_api, design_id)
    assert state["status"] == "completed", state["error"]

    quality = state["metadata"]["quality"]
    assert quality["retried_variations"] == [0, 1]  # regenerated once each...
    assert set(quality["retry_reasons"].values()) == {"layout"}  # ...with a firmer hold on the structure
    for result in state["results"]:
        assert result["layout"] == {"score": result["quality_score"], "kept": False, "refunded": True,
                                    "meaning": NOT_KEPT}

    refunds = UsageEntry.objects.filter(design_id=design_id, kind=REFUND)
    assert [(entry.units, entry.note) for entry in refunds] == [(2, "layout not kept: variation 1, 2")]
    assert DailyUsage.objects.get(user=alice).used == 0

    # Redelivered message, a retried write: nothing more is given back (even with units used that day to take).
    billing.quota_reserve(design=design_row(owner=alice, variations=2), units=2)
    design_run(design_id)
    assert billing.layout_refund(design=Design.objects.get(pk=design_id), variations=[0, 1]) == 0
    assert refunds.count() == 1 and DailyUsage.objects.get(user=alice).used == 2

    page = _page(client, alice, design_id)
    assert page.count('data-layout="lost"') == 4  # in the variations list and in "What we found", per result
    assert "refunded" in page and "it still fell short" in page


def test_it_charges_and_marks_kept_a_result_that_keeps_the_layout(worker, alice, alice_api, client, monkeypatch):
    monkeypatch.setenv("QUALITY_RETRY_BELOW", "0")  # every sane image passes
    design_id = submit(alice_api, variations="2").json()["id"]
    state = wait_for(alice_api, design_id)
    assert state["status"] == "completed", state["error"]

    assert state["metadata"]["quality"]["retried"] is False
    assert [r["layout"]["kept"] for r in state["results"]] == [True, True]
    assert {r["layout"]["meaning"] for r in state["results"]} == {KEPT}
    assert not UsageEntry.objects.filter(design_id=design_id, kind=REFUND).exists()
    assert DailyUsage.objects.get(user=alice).used == 2

    page = _page(client, alice, design_id)
    assert 'data-layout="lost"' not in page and page.count("Layout kept (") == 4
