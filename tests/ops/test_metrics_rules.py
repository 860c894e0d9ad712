"""The example alert rules (deploy/prometheus/alerts.yml) and Grafana dashboard (deploy/grafana/restyle.json) use
only metrics that exist: a real worker (`manage.py rundramatiq`, its exporter on WORKER_METRICS_PORT) takes a
design submitted over HTTP to the real web, and both metrics endpoints are scraped over HTTP. promtool is not
available here, so the rules' structure is checked against Prometheus' rule-file format by hand."""
from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from accounts.models import User
from accounts.tokens import token_issue
from billing.models import Plan
from tests.designs.conftest import photo_bytes
from tests.drills.conftest import stack, wait_until_settled  # noqa: F401  (the real worker process fixture)
from tests.ops.conftest import REPO
from tests.servers import free_port

RULES = REPO / "deploy" / "prometheus" / "alerts.yml"
DASHBOARD = REPO / "deploy" / "grafana" / "restyle.json"
RUNBOOK = REPO / "docs" / "RUNBOOK.md"

# Words in PromQL that are not metric names (functions are recognised by the "(" that follows them).
KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
            "inf", "nan"}
RULE_KEYS = {"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"}
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects."""
    expr = re.sub(r'"(?:\\.|[^"\\])*"', '""', expr)  # label values
    expr = re.sub(r"\{[^}]*\}", " ", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", " ", expr)  # range and subquery durations
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)  # label lists
    names = set()
    for match in re.finditer(r"(?<![\w.:$])[A-Za-z_:][A-Za-z0-9_:]*", expr):
        if expr[match.end():].lstrip().startswith("(") or match.group(0).lower() in KEYWORDS:
            continue  # a function or aggregation, or an operator word
        names.add(match.group(0))
    return names


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def _dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel.get("targets", [])]


def used_metrics() -> set[str]:
    exprs = [rule["expr"] for rule in _rules()] + _dashboard_exprs()
    return set().union(*(metric_names(expr) for expr in exprs))


def test_it_reads_metric_names_out_of_promql():
    expr = ('histogram_quantile(0.95, sum by (le, queue) (rate(restyle_design_queue_wait_seconds_bucket{queue=~"gpu.*"}'
            '[10m]))) > 1e3 and max(up offset 5m) / on (job) group_left (x) absent(b:c_total) or foo bool > 2')
    assert metric_names(expr) == {"restyle_design_queue_wait_seconds_bucket", "up", "b:c_total", "foo"}


def test_the_alert_rules_have_prometheus_structure():
    document = yaml.safe_load(RULES.read_text())
    assert set(document) == {"groups"}
    groups = document["groups"]
    assert len({group["name"] for group in groups}) == len(groups) > 0
    runbook = RUNBOOK.read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
               for line in runbook.splitlines() if line.startswith("#")}
    alerts = []
    for group in groups:
        assert set(group) <= {"name", "interval", "limit", "rules"} and group["rules"], group["name"]
        for rule in group["rules"]:
            assert set(rule) <= RULE_KEYS, rule
            assert ("alert" in rule) != ("record" in rule), rule
            assert isinstance(rule["expr"], str) and rule["expr"].strip()
            assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]
            assert metric_names(rule["expr"]), rule["alert"]
            assert DURATION.match(str(rule.get("for", "0s"))), rule
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rule["alert"])
            assert rule["labels"]["severity"] in ("warning", "critical")
            assert all(isinstance(value, str) for value in [*rule["labels"].values(), *rule["annotations"].values()])
            assert {"summary", "description", "runbook"} <= set(rule["annotations"])
            # Each alert has its section in the runbook: what it means and what to do.
            page, _, anchor = rule["annotations"]["runbook"].partition("#")
            assert page == "docs/RUNBOOK.md" and anchor == rule["alert"].lower() and anchor in anchors, rule["alert"]
            alerts.append(rule["alert"])
    assert len(set(alerts)) == len(alerts)
    for needed in ("RestyleWorkerDown", "RestyleQueueWaitHigh", "RestyleFailureRatioHigh", "RestyleGpuBudget80",
                   "RestyleGpuBudgetSpent", "RestyleWeb5xx", "RestyleWebLatencyHigh"):
        assert needed in alerts


def test_the_dashboard_is_a_grafana_dashboard_on_one_datasource():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["title"] and dashboard["uid"] and dashboard["schemaVersion"] >= 30
    assert [item["name"] for item in dashboard["__inputs"]] == ["DS_PROMETHEUS"]
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(set(ids)) == len(ids)
    graphs = [panel for panel in dashboard["panels"] if panel["type"] != "row"]
    assert len(graphs) >= 15
    for panel in graphs:
        assert panel["datasource"]["uid"] == "${DS_PROMETHEUS}" and panel["targets"], panel["title"]
        assert set(panel["gridPos"]) == {"h", "w", "x", "y"} and panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        for target in panel["targets"]:
            assert target["expr"].count("(") == target["expr"].count(")") and metric_names(target["expr"])


def _scrape(url: str, **headers) -> set[str]:
    """Every sample name (histograms' _bucket/_sum/_count, counters' _total) and family name at the URL."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        text = response.read().decode()
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    return names


def _samples(url: str, **headers) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        text = response.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _wait_for_exporter(url: str, headers: dict, worker, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _scrape(url, **headers)
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise AssertionError(f"the worker's exporter never answered at {url}:\n{worker.log_tail()}")


def test_every_metric_the_rules_and_dashboard_use_is_scraped_from_the_web_and_the_worker(stack, live_server,  # noqa: F811
                                                                                        tmp_path):
    port = free_port()
    # The drills' short lease and resend times would let a slow machine run the design twice: not this test's point.
    worker = stack.worker(WORKER_METRICS_PORT=str(port), PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
                          METRICS_OPEN="false", METRICS_TOKEN="worker-scrape-token", DESIGN_LEASE_SECONDS="60",
                          DESIGN_REQUEUE_AFTER_SECONDS="600")
    worker_url = f"http://127.0.0.1:{port}/metrics"
    bearer = {"Authorization": "Bearer worker-scrape-token"}
    _wait_for_exporter(worker_url, bearer, worker)
    with pytest.raises(urllib.error.HTTPError) as refused:  # the same access rules as the web's /metrics
        _scrape(worker_url)
    assert refused.value.code == 404

    user = User.objects.create_user("metrics@example.com", "a long metrics pass phrase")
    token = {"Authorization": f"Token {token_issue(user=user, name='metrics')}"}
    answer = requests.post(f"{live_server.url}/api/v1/designs/", headers=token, timeout=30,
                           data={"style": "japandi", "resolution": "512"},
                           files={"image": ("room.jpg", photo_bytes(), "image/jpeg")})
    assert answer.status_code == 202, answer.text
    Plan.objects.filter(code="guest").update(daily_limit=0)
    refused = requests.post(f"{live_server.url}/api/v1/designs/", data={"style": "japandi"}, timeout=30,
                            files={"image": ("room.jpg", photo_bytes(), "image/jpeg")})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "quota_exceeded"
    design = wait_until_settled(answer.json()["id"], timeout=240)
    assert design.status == "completed", (design.status, design.error_code, worker.log_tail())

    # The message is acknowledged (and counted) a moment after the design's row says completed.
    message = ("dramatiq_messages_total", (("actor_name", "process_design"), ("queue_name", "gpu")))
    deadline = time.monotonic() + 30
    while _samples(worker_url, **bearer).get(message) != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    worker_names = _scrape(worker_url, **bearer)
    web_names = _scrape(f"{live_server.url}/metrics")
    used = used_metrics()
    assert {"restyle_designs_finished_total", "restyle_http_request_duration_seconds_bucket",
            "restyle_worker_threads", "restyle_gpu_budget_usd"} <= used  # the names were read at all
    assert sorted(used - worker_names - web_names) == []

    # What the worker says about the design it ran: once, on its engine, with all its threads alive.
    samples = _samples(worker_url, **bearer)
    assert samples[("restyle_designs_finished_total", (("engine", "local"), ("status", "completed")))] == 1
    assert samples[("restyle_designs_finished_total", (("engine", "local"), ("status", "failed")))] == 0
    assert samples[("restyle_worker_threads", ())] == 2
    assert samples[message] == 1
    assert samples[("restyle_design_queue_wait_seconds_count", (("queue", "gpu"),))] == 1
