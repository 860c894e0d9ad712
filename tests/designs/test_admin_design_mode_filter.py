"""Staff find designs in the admin by mode, and see each design's mode in the list."""
from __future__ import annotations

import re

import pytest

from designs.models import Mode
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


def _listed(admin_client, **params) -> set[str]:
    response = admin_client.get("/admin/designs/design/", params)
    assert response.status_code == 200
    return set(re.findall(r'name="_selected_action" value="([^"]+)"', response.text))


def test_it_filters_designs_by_mode(admin_client, alice):
    designs = {mode: make_design(owner=alice, mode=mode) for mode in Mode.values}

    for mode, design in designs.items():
        assert _listed(admin_client, mode__exact=mode) == {str(design.pk)}
    page = admin_client.get("/admin/designs/design/").text
    assert "By mode" in page and "Edit an area" in page
