"""Staff see upscales: on the design's page and in their own read-only list."""
from __future__ import annotations

import pytest

from designs.models import Upscale
from tests.designs.upscaling import completed_design

pytestmark = pytest.mark.django_db


def test_it_lists_upscales_and_shows_them_on_the_design(admin_client, alice):
    design = completed_design(alice)
    Upscale.objects.create(design=design, result=design.results.get(), factor=4, status="failed", units=1,
                           error_code="backend_timeout", deadline_at=design.deadline_at)
    listing = admin_client.get("/admin/designs/upscale/")
    assert listing.status_code == 200 and "backend_timeout" in listing.text
    page = admin_client.get(f"/admin/designs/design/{design.pk}/change/")
    assert page.status_code == 200 and "backend_timeout" in page.text
    assert admin_client.get("/admin/designs/upscale/add/").status_code == 403  # read-only: the worker makes them
