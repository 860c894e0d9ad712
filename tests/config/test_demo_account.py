"""`make run` makes the demo account once, in development only, and never resets a password someone changed."""
from __future__ import annotations

import pytest

from accounts.models import User
from config.run import DEMO_EMAIL, DEMO_PASSWORD, prepare

pytestmark = pytest.mark.django_db


def test_it_creates_the_demo_account_in_development(settings):
    settings.ENV = "development"
    prepare()
    assert User.objects.get(email=DEMO_EMAIL).check_password(DEMO_PASSWORD)


def test_it_keeps_a_changed_demo_password_across_starts(settings):
    settings.ENV = "development"
    prepare()
    user = User.objects.get(email=DEMO_EMAIL)
    user.set_password("a password only I know now")
    user.save()
    prepare()  # the next `make run`
    user.refresh_from_db()
    assert user.check_password("a password only I know now")
    assert not user.check_password(DEMO_PASSWORD)


@pytest.mark.parametrize("env", ["production", "test"])
def test_it_makes_no_demo_account_outside_development(settings, env):
    settings.ENV = env
    prepare()
    assert not User.objects.filter(email=DEMO_EMAIL).exists()
