"""The download link of a data export works only for its own account (session or token), and not after it
expired; the retention sweep then deletes the ZIP, and so does closing the account."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DataExport
from accounts.services import user_delete
from accounts.tokens import token_issue
from designs.actors import purge_guest_designs
from tests.accounts.conftest import export_ready
from tests.conftest import assert_error


def _path(state: dict) -> str:
    return urlsplit(state["download_url"]).path


def test_the_link_is_refused_to_another_user_and_to_nobody(worker, alice, alice_api, bob, client):
    path = _path(export_ready(alice_api))

    bobs_app = APIClient()
    bobs_app.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='phone')}")
    assert bobs_app.get(path).status_code == 404
    client.force_login(bob)
    response = client.get(path)
    assert response.status_code == 404 and "not for the account you are signed in with" in response.content.decode()
    client.logout()
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert alice_api.get(path).status_code == 200  # the owner's app, by token


def test_the_status_of_an_export_is_the_owners_only(worker, alice_api, bob):
    state = export_ready(alice_api)
    bobs_app = APIClient()
    bobs_app.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=bob, name='phone')}")
    assert_error(bobs_app.get(state["status_url"]), 404, "not_found")
    again = alice_api.get(state["status_url"]).json()  # signed again: another second can give another signature
    assert again["status"] == state["status"] and alice_api.get(_path(again)).status_code == 200


def test_the_link_is_refused_after_expiry_and_the_sweep_deletes_the_zip(worker, alice, alice_api, settings):
    state = export_ready(alice_api)
    export = DataExport.objects.get(pk=state["id"])
    assert default_storage.exists(export.file)

    with time_machine.travel(timezone.now() + timedelta(seconds=settings.DATA_EXPORT_MAX_AGE + 60)):
        assert alice_api.get(_path(state)).status_code == 404
        later = alice_api.get(state["status_url"]).json()
        assert (later["status"], later["download_url"]) == ("expired", None)
        purge_guest_designs.fn()  # the retention sweep, as the worker runs it

    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not default_storage.exists(export.file)


def test_closing_the_account_deletes_its_exports(worker, alice, alice_api):
    export = DataExport.objects.get(pk=export_ready(alice_api)["id"])
    user_delete(user=alice)
    assert not default_storage.exists(export.file)
