from __future__ import annotations

from tests.designs.conftest import submit


def test_it_shows_plan_and_quota(alice_api):
    before = alice_api.get("/api/v1/me/").json()
    assert before["plan"]["code"] == "free"
    assert before["quota"]["limit"] == before["plan"]["daily_limit"] == 5
    assert before["quota"]["used"] == 0 and before["quota"]["remaining"] == 5
    assert before["quota"]["resets_at"].endswith("T00:00:00Z")
    submit(alice_api, variations="2")
    after = alice_api.get("/api/v1/me/").json()["quota"]
    assert (after["used"], after["remaining"]) == (2, 3)
