"""Closing an account removes every design row and every stored file, not only the user row."""
from __future__ import annotations

import pytest

from accounts.models import User
from accounts.services import user_delete
from designs.models import Design, DesignResult, Status
from tests.ops.conftest import stored_design, stored_files

pytestmark = pytest.mark.django_db


def test_it_removes_every_design_and_file(alice, bob):
    mine = [stored_design(owner=alice, results=2), stored_design(owner=alice, status=Status.FAILED, results=0),
            stored_design(owner=alice, status=Status.QUEUED, results=0)]
    theirs = stored_design(owner=bob)
    assert all(stored_files(design) for design in mine)
    user_delete(user=alice)
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Design.objects.filter(pk__in=[design.pk for design in mine]).exists()
    assert not DesignResult.objects.filter(design_id__in=[design.pk for design in mine]).exists()
    assert [stored_files(design) for design in mine] == [[], [], []]
    assert stored_files(theirs) and Design.objects.filter(owner=bob).count() == 1
