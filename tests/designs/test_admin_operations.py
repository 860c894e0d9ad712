"""The live operations page: queue depth and age from the Redis broker, designs by status, workers, engines,
readiness, today's budget and open alerts; staff only; its body can be fetched alone for the refresh."""
from __future__ import annotations

import re
import time

import pytest

from billing.services import cost_record
from designs.models import AlertIncident, Status
from designs.queues import design_send

PAGE = "/admin/designs/operations/"


def _section(html: str, name: str) -> str:
    return re.search(rf'id="ops-{name}".*?</div>', html, flags=re.S).group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ",").replace(" )", ")")


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_service_as_it_is_now(worker_control, admin_client, design_row, settings):
    settings.GPU_DAILY_BUDGET_USD = "0.05"
    waiting = [design_row(), design_row()]
    for design in waiting:
        design_send(design.pk, priority=0)
    design_send(design_row().pk, priority=9)
    done = design_row(status=Status.COMPLETED)
    cost_record(design=done, attempt=1, gpu_seconds=100, gpu_type="T4", backend="local", worker="w:1")  # $0.0164
    design_row(status=Status.FAILED)
    AlertIncident.objects.create(alert="queue_age", summary="The oldest queued design has waited 400 s.")
    time.sleep(1.1)

    page = admin_client.get(PAGE)

    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    queues = _text(_section(html, "queues"))
    assert re.search(r"gpu-priority 1 0 0 1 s ", queues) and re.search(r" gpu 2 0 0 1 s ", queues)
    assert "default 0 0 0 —" in queues
    assert re.search(r"status__exact=queued\">queued</a></td><td class=\"num\">3<", html)
    assert "No worker has a heartbeat" in html
    engines = _text(_section(html, "engines"))
    assert "local (in use) closed 1 1" in engines and "database ok, redis ok, storage ok" in engines
    assert "$0.02 of $0.05 spent (33%)" in _text(_section(html, "budget"))
    assert "Designs wait too long in the queue" in _text(_section(html, "alerts"))
    assert 'setInterval(refresh, 5 * 1000)' in html
    assert re.search(r'<a href="/admin/designs/">Designs</a>\s*&rsaquo; Operations', html)  # the breadcrumbs

    partial = admin_client.get(PAGE, {"partial": "1"}).content.decode()
    assert 'id="ops-queues"' in partial and "<html" not in partial


def test_it_is_for_staff_only(client, alice):
    client.force_login(alice)
    assert client.get(PAGE).status_code == 302  # to the admin's sign-in
    assert client.get(PAGE, {"partial": "1"}).status_code == 302
