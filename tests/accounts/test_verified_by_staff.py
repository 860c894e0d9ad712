"""Accounts staff make (createsuperuser, the admin's add form) and the demo account need no verification mail."""
from __future__ import annotations

from django.core.management import call_command

from accounts.models import User
from config import run
from tests.conftest import PASSWORD


def test_createsuperuser_makes_a_verified_account(db, monkeypatch, mailbox):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", "boss@example.com", verbosity=0)
    assert User.objects.get(email="boss@example.com").email_verified
    assert mailbox.messages == []


def test_an_account_added_in_the_admin_is_verified(client, db, mailbox):
    staff = User.objects.create_superuser("staff@example.com", PASSWORD)
    client.force_login(staff)
    response = client.post("/admin/accounts/user/add/", {
        "email": "added@example.com", "password1": PASSWORD, "password2": PASSWORD, "usable_password": "true",
        "api_tokens-TOTAL_FORMS": "0", "api_tokens-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    added = User.objects.get(email="added@example.com")
    assert added.email_verified
    assert mailbox.messages == []


def test_the_demo_account_of_make_run_is_verified(db, monkeypatch):
    monkeypatch.setattr("django.core.management.call_command", lambda *args, **kwargs: None)  # already migrated
    User.objects.create_user(run.DEMO_EMAIL, email_verified=False)
    run.prepare()
    assert User.objects.get(email=run.DEMO_EMAIL).email_verified
