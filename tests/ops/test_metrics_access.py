"""Who may read /metrics: anyone in development; in production a bearer token or an allowed network, else 404."""
from __future__ import annotations

import ipaddress
import subprocess
import sys

import pytest
from django.test import override_settings

from tests.ops.conftest import REPO, sample, scrape

pytestmark = pytest.mark.django_db

LOCKED = {"METRICS_OPEN": False, "METRICS_TOKEN": None, "METRICS_ALLOWED_IPS": []}


def test_it_is_open_in_development(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")


@override_settings(**LOCKED)
def test_it_is_not_there_in_production_without_a_token(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@override_settings(**{**LOCKED, "METRICS_TOKEN": "s3cret-scrape-token"})
def test_it_answers_the_right_bearer_token_only(client):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics").status_code == 404


@override_settings(**{**LOCKED, "METRICS_ALLOWED_IPS": [ipaddress.ip_network("10.1.0.0/16")]})
def test_it_answers_allowed_networks(client):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 404


WRITE_SAMPLE = """
from config.metrics import REQUEST_LATENCY
REQUEST_LATENCY.labels("GET", "health", "200").observe(0.01)
"""


def test_several_web_processes_add_up(client, tmp_path, monkeypatch):
    """The image runs several uvicorn workers: a scrape answered by any one of them counts all of them."""
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for _process in range(2):
        subprocess.run([sys.executable, "-c", WRITE_SAMPLE], cwd=REPO, env=env, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = scrape(client)
    assert sample(samples, "restyle_http_request_duration_seconds_count",
                  method="GET", route="health", status="200") == 2
    assert sample(samples, "restyle_metrics_source_up", source="designs") == 1  # and the scrape-time sources
