"""Every file of a design lives in one folder, named once (Design.storage_prefix) and kept: a guest's design
adopted at sign-up keeps its guest folder, and deleting it still removes every file."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from designs.models import Design, Status
from designs.services import design_delete, guest_designs_adopt
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


def test_it_keeps_and_empties_the_folder_of_a_guest_design_adopted_at_sign_up(alice):
    guest_design = make_design(guest_key="guest-key-1", status=Status.COMPLETED, results=1)
    folder = guest_design.storage_prefix
    assert guest_designs_adopt(guest_key="guest-key-1", user=alice) == 1

    adopted = Design.objects.get(pk=guest_design.pk)
    assert adopted.storage_prefix == folder == adopted.original.name.rsplit("/", 1)[0]
    design_delete(design=adopted)

    assert not default_storage.exists(folder) or default_storage.listdir(folder)[1] == []
