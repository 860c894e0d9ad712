"""Structured logs: JSON lines with request, user and design ids; the request id travels in X-Request-ID."""
from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest
from django.test import override_settings

from core.logs import ContextFilter, JsonFormatter, PlainFormatter, log_context
from designs.models import Design
from tests.designs.conftest import submit, wait_for
from tests.ops.conftest import REPO

pytestmark = pytest.mark.django_db


class Lines(logging.Handler):
    """Formats records as production would and keeps the lines."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.addFilter(ContextFilter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def lines():
    handler = Lines()
    root = logging.getLogger()
    root.addHandler(handler)
    previous = logging.getLogger("restyle.access").level
    logging.getLogger("restyle.access").setLevel(logging.DEBUG)
    yield handler.lines
    root.removeHandler(handler)
    logging.getLogger("restyle.access").setLevel(previous)


def test_it_writes_one_json_object_per_line(lines):
    with log_context(design_id="d-1"):
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("designs.worker").exception("design %s failed", "d-1", extra={"attempt": 2})
    line = lines[-1]
    assert {"timestamp", "level", "logger", "message", "request_id", "user_id", "design_id"} <= set(line)
    assert (line["level"], line["logger"], line["message"]) == ("ERROR", "designs.worker", "design d-1 failed")
    assert line["design_id"] == "d-1" and line["attempt"] == 2
    assert "ValueError: boom" in line["exception"]


def test_the_context_ends_with_its_block(lines):
    with log_context(design_id="d-2"):
        pass
    logging.getLogger("x").warning("after")
    assert lines[-1]["design_id"] is None


@override_settings(ACCESS_LOG=True)
def test_it_makes_a_request_id_echoes_it_and_logs_the_request(client, lines):
    response = client.get("/health/")
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    access = [line for line in lines if line["logger"] == "restyle.access"][-1]
    assert access["request_id"] == request_id
    assert (access["route"], access["status"], access["method"]) == ("health", 200, "GET")
    assert access["duration_ms"] >= 0


def test_it_keeps_a_clean_request_id_from_the_client_and_replaces_a_dirty_one(client):
    assert client.get("/health/", HTTP_X_REQUEST_ID="lb-1234.abc").headers["X-Request-ID"] == "lb-1234.abc"
    replaced = client.get("/health/", HTTP_X_REQUEST_ID="evil\nheader" + "x" * 100).headers["X-Request-ID"]
    assert "evil" not in replaced and len(replaced) == 32


@override_settings(ACCESS_LOG=True)
def test_it_logs_the_user_of_an_api_token(alice, alice_api, lines):
    alice_api.get("/api/v1/me/")
    access = [line for line in lines if line["logger"] == "restyle.access"][-1]
    assert access["user_id"] == alice.pk and access["route"] == "api-me"


@override_settings(ACCESS_LOG=True)
def test_it_keeps_signed_file_tokens_out_of_the_log(client, lines):
    client.get("/files/some-signed-token-value")
    access = [line for line in lines if line["logger"] == "restyle.access"][-1]
    assert "some-signed-token-value" not in json.dumps(access)


def test_the_worker_logs_the_design_id(worker_control, alice_api, lines):
    # A design the pipeline turns down (its style vanished from the catalog after it was accepted), run by a real
    # Dramatiq worker on the real broker: the worker logs the failure and the refund from its own threads.
    design_id = submit(alice_api).json()["id"]
    Design.objects.filter(pk=design_id).update(style="retired-style")
    worker_control.start()
    assert wait_for(alice_api, design_id)["status"] == "failed"
    worker_control.drain()

    ours = [line for line in lines if line["logger"].startswith(("designs.", "billing.", "gpu."))]
    assert {line["logger"] for line in ours} >= {"designs.worker", "billing.services"}, ours
    assert [line for line in ours if line["design_id"] != design_id] == []


def test_development_logs_are_plain_text_with_the_context():
    record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "msg": "hello", "design_id": "d-3"})
    ContextFilter().filter(record)
    assert PlainFormatter().format(record).endswith("INFO x hello [design_id=d-3]")


PRODUCTION = {
    "DJANGO_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "restyle.example.com",
    "DATABASE_URL": "postgresql://u:p@db.example.com:5432/restyle", "REDIS_URL": "redis://redis.example.com:6379/0",
    "S3_BUCKET": "restyle-media", "SENTRY_DSN": "https://public@sentry.example.com/1", "PATH": "/usr/bin:/bin",
}
SHOW = """
import django, os, sentry_sdk
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
django.setup()
from django.conf import settings
client = sentry_sdk.get_client()
print(settings.LOGGING["handlers"]["console"]["formatter"], client.is_active(), client.options["send_default_pii"])
"""


def test_production_logs_json_and_reports_to_sentry_without_personal_data():
    result = subprocess.run([sys.executable, "-c", SHOW], cwd=REPO, env=PRODUCTION, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["json", "True", "False"]


def test_an_unknown_log_format_fails_loudly():
    from django.core.exceptions import ImproperlyConfigured

    from core.logs import logging_config

    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logging_config(fmt="xml", level="INFO", access_log=False)
