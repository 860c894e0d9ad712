from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_issue
from tests.mailserver import Mailbox, SmtpServer
from tests.stripe_server import StripeServer

PASSWORD = "correct horse battery staple"

# The tiny models' random results score low on layout, so by default every variation would be denoised a second
# time: a third of the suite's CPU. A threshold of 0 passes every sane image (gpu.pipeline.retry_threshold); the
# tests of the retry and of the layout guarantee set their own. Subprocesses (drill workers, servers) inherit it.
os.environ.setdefault("QUALITY_RETRY_BELOW", "0")

# tests.skips: in CI a skipped test fails the run; pytester: tests/ops/test_ci_skips.py runs a small suite;
# tests.ordering: the slowest files first, so that the xdist workers finish together.
pytest_plugins = ["tests.skips", "tests.ordering", "pytester"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the Redis cache: every test starts from zero."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _builtin_plans(request):
    """The built-in plans exist in every test that uses the database, as the data migration made them. A
    transactional test empties every table when it ends, and with the suite spread over processes (make test)
    such a test can run before any other in its process."""
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction"))
    if not (transactional or marker is not None or "db" in request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from billing.models import BUILTIN_PLANS
    from billing.selectors import plan_get

    for code in BUILTIN_PLANS:
        plan_get(code=code)


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on loopback for the whole run (tests/mailserver.py)."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def mailbox(smtp_server, settings) -> Mailbox:
    """Mail goes through Django's SMTP backend to the loopback server (pytest-django would keep it in memory);
    the mailbox starts empty, after any mail an earlier test handed over has gone out."""
    from accounts.mail import mail_drain

    mail_drain()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    smtp_server.mailbox.clear()
    return smtp_server.mailbox


@pytest.fixture(scope="session")
def stripe_server():
    """localstripe on loopback, started by the first test that needs it (tests/stripe_server.py)."""
    server = StripeServer().start()
    yield server
    server.stop()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice@example.com", PASSWORD)


@pytest.fixture
def bob(db) -> User:
    return User.objects.create_user("bob@example.com", PASSWORD)


@pytest.fixture
def alice_api(alice) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=alice, name='test')}")
    return client


def assert_error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    """The documented error shape, with the expected status (and code and field when given)."""
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "field"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code, error
    if field is not None:
        assert error["field"] == field, error
    return error
