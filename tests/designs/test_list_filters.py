"""The history's `status` and `style` filters take known values only, a bounded number, and name the bad field."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from designs.models import Status
from tests.conftest import assert_error
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


def test_it_filters_by_several_known_statuses(alice_api, alice):
    done = make_design(owner=alice, status=Status.COMPLETED)
    failed = make_design(owner=alice, status=Status.FAILED)
    make_design(owner=alice, status=Status.QUEUED)
    response = alice_api.get("/api/v1/designs/", {"status": "completed, failed,completed", "style": "japandi"})
    assert response.status_code == 200, response.content
    assert {item["id"] for item in response.json()["results"]} == {str(done.id), str(failed.id)}


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "completed,'; drop table"}, "status"),
    ({"status": "done"}, "status"),
    ({"status": ",".join(["completed"] * 20_000)}, "status"),  # 200 KB of one known value
    ({"style": "gothic-spaceship"}, "style"),
])
def test_it_refuses_unknown_or_unbounded_filters(alice_api, alice, query, field):
    make_design(owner=alice)
    with CaptureQueriesContext(connection) as queries:
        response = alice_api.get("/api/v1/designs/", query)
    assert_error(response, 400, field=field)
    assert not [q for q in queries.captured_queries if "designs_design" in q["sql"]]  # refused before any query
