"""A design's detail page in the admin says what went wrong and what every attempt was: engine, GPU,
duration, cost and worker, from billing's per-attempt GPU charges."""
from __future__ import annotations

import pytest

from billing.services import cost_record
from designs.models import Status
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


def test_it_shows_the_error_and_every_attempt(admin_client, alice):
    design = make_design(owner=alice, status=Status.FAILED, error_code="gpu_unavailable",
                         error_message="No GPU answered in time.")
    cost_record(design=design, attempt=1, gpu_seconds=42.5, gpu_type="L4", completed=False, backend="modal",
                worker="worker-a:101")
    cost_record(design=design, attempt=2, gpu_seconds=7, gpu_type="T4", completed=False, backend="local",
                worker="worker-b:202")

    page = admin_client.get(f"/admin/designs/design/{design.pk}/change/").text

    assert "<strong>gpu_unavailable</strong>: No GPU answered in time." in page
    first = "<tr><td>1</td><td>modal</td><td>L4</td><td>42.500 s</td><td>$0.009435</td><td>no result</td>" \
            "<td>worker-a:101</td>"
    second = "<tr><td>2</td><td>local</td><td>T4</td><td>7.000 s</td>"
    assert first in page and second in page and "worker-b:202" in page
    assert page.index(first) < page.index(second)
