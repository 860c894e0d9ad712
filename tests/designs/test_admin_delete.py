"""Deleting designs or users in the admin removes their stored files, as the API's delete does."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from accounts.models import User
from designs.models import Design, StaffAction, Status
from tests.dashboard.conftest import make_design

pytestmark = pytest.mark.django_db


def _files(design: Design) -> list[str]:
    try:
        return default_storage.listdir(design.storage_prefix)[1]
    except FileNotFoundError:
        return []


def _designs(owner, count: int = 2) -> list[Design]:
    designs = [make_design(owner=owner, status=Status.COMPLETED, results=2) for _ in range(count)]
    assert all(len(_files(design)) == 5 for design in designs)  # the photo, 2 results, 2 thumbnails
    return designs


def test_it_deletes_a_design_and_its_files(admin_client, alice):
    design, kept = _designs(alice)
    response = admin_client.post(f"/admin/designs/design/{design.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert list(Design.objects.all()) == [kept]
    assert _files(design) == [] and len(_files(kept)) == 5


def test_it_deletes_the_selected_designs_and_their_files(admin_client, alice):
    designs = _designs(alice, 3)
    response = admin_client.post("/admin/designs/design/", {
        "action": "delete_selected", "post": "yes", "_selected_action": [str(d.pk) for d in designs[:2]]})
    assert response.status_code == 302
    assert list(Design.objects.all()) == [designs[2]]
    assert [_files(d) for d in designs[:2]] == [[], []]


def test_it_deletes_a_user_and_every_file_of_theirs(admin_client, alice, bob):
    designs = _designs(alice)
    bobs = _designs(bob, 1)
    response = admin_client.post(f"/admin/accounts/user/{alice.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert [_files(d) for d in designs] == [[], []]
    assert len(_files(bobs[0])) == 5


def test_it_deletes_the_selected_users_and_every_file_of_theirs(admin_client, alice, bob):
    designs = _designs(alice) + _designs(bob)
    response = admin_client.post("/admin/accounts/user/", {
        "action": "delete_selected", "post": "yes", "_selected_action": [str(alice.pk), str(bob.pk)]})
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[alice.pk, bob.pk]).exists()
    assert not Design.objects.exists()
    assert [_files(d) for d in designs] == [[]] * 4


def test_it_deletes_with_a_reason_into_the_audit_log(admin_client, admin_user, alice):
    design, kept = _designs(alice)
    response = admin_client.post("/admin/designs/design/", {
        "action": "delete_with_reason", "_selected_action": [str(design.pk)], "apply": "Delete",
        "reason": "owner asked, ticket 3"})
    assert response.status_code == 302
    assert list(Design.objects.all()) == [kept]
    assert _files(design) == [] and len(_files(kept)) == 5
    action = StaffAction.objects.get()
    assert (action.staff, action.action, action.target, action.reason) == (
        admin_user, "delete_design", f"design {design.pk}", "owner asked, ticket 3")
