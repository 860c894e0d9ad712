"""Schemathesis over our OpenAPI schema, against the app in-process: whatever a client sends, no 500.

Bounded to stay a quick test: a few derandomized examples per operation and mode (the same ones every run,
so a failure reproduces), and no example database written into the repository. Every operation is tried
before the test fails, so one run lists every 500 it found.
"""
from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.tokens import token_issue
from config.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = 12
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.fixture
def same_connection():
    """Django closes "old" connections around each request, which would end the test's transaction; its own
    test client switches that off for the same reason, and so do we while schemathesis calls the WSGI app."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _strategy(operation):
    modes = [operation.as_strategy(schemathesis.GenerationMode.POSITIVE)]
    try:
        modes.append(operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))
    except Exception:  # an operation with nothing to break (no parameters) has no negative cases
        pass
    return st.one_of(modes)


def _fuzz(operation, user) -> list[str]:
    errors: list[str] = []

    @given(case=_strategy(operation))
    @FUZZ
    def run(case) -> None:
        # A fresh token for every example: an example may have revoked the previous one (DELETE /auth/token/).
        key = token_issue(user=user, name="fuzz")
        response = case.call(headers={"Authorization": f"Token {key}"})
        if response.status_code >= 500:
            errors.append(f"{response.status_code} for {case.as_curl_command()}\n{response.text[:1500]}")

    run()
    return errors


def test_no_input_makes_a_server_error(alice, same_connection):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    errors = [error for operation in operations for error in _fuzz(operation, alice)]
    assert not errors, "\n\n".join(errors)
