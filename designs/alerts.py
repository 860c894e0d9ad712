"""Operations alerts: mail to staff (and a webhook, e.g. a chat channel) when something needs a person.

Alerts (thresholds in settings, see .env.example):

- gpu_budget_80, gpu_budget_100: the day's GPU spend passed that share of GPU_DAILY_BUDGET_USD
  (ALERT_BUDGET_PERCENTS); they clear when the budget is raised or the UTC day turns.
- failure_rate: over the last ALERT_FAILURE_WINDOW_SECONDS at least ALERT_FAILURE_MIN_ENDED designs ended and
  ALERT_FAILURE_RATE or more of them failed.
- queue_age: the oldest queued design has waited more than ALERT_QUEUE_AGE_SECONDS.
- no_worker: no worker process has a heartbeat (designs/heartbeat.py).

Each is sent once per incident, and once more as "resolved" when its condition clears. The state is a row per
incident in Postgres (AlertIncident): opening one is an INSERT that a partial unique index allows once per
alert, resolving it a conditional UPDATE; only the process whose write took effect sends, so any number of
processes may evaluate at the same moment without sending twice.

Who evaluates: the workers' reaper (every REAPER_INTERVAL_SECONDS) and a timer in every web process, since
with every worker dead nobody else would notice that none lives. A Redis lock lets one evaluation through
per ALERT_INTERVAL_SECONDS across all of them; a lost lock only costs an evaluation more.
"""
from __future__ import annotations

import json
import logging
import threading
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from designs import ops
from designs.models import AlertIncident

log = logging.getLogger(__name__)
PAGE = "/admin/designs/operations/"


@dataclass(frozen=True)
class Reading:
    firing: bool
    summary: str


def _budget(percent: int) -> Callable[[], Reading | None]:
    def check() -> Reading | None:
        budget = ops.budget_today()
        if not budget["budget"]:
            return Reading(False, "No daily GPU budget is set.")
        text = f"GPU spend today is ${budget['spent']:.2f}, {budget['percent']:.0f}% of the ${budget['budget']} budget"
        return Reading(budget["percent"] >= percent, f"{text} (alert at {percent}%).")

    return check


def _failure_rate() -> Reading:
    failures = ops.failure_rate()
    minutes = settings.ALERT_FAILURE_WINDOW_SECONDS // 60
    if not failures["ended"]:
        return Reading(False, f"No design ended in the last {minutes} minutes.")
    text = (f"{failures['failed']} of {failures['ended']} designs that ended in the last {minutes} minutes failed "
            f"({failures['rate']:.0%}; alert at {settings.ALERT_FAILURE_RATE:.0%} of at least "
            f"{settings.ALERT_FAILURE_MIN_ENDED}).")
    firing = failures["ended"] >= settings.ALERT_FAILURE_MIN_ENDED and failures["rate"] >= settings.ALERT_FAILURE_RATE
    return Reading(firing, text)


def _queue_age() -> Reading:
    seconds = ops.oldest_queued_design_seconds()
    if seconds is None:
        return Reading(False, "No design is waiting in the queue.")
    return Reading(seconds > settings.ALERT_QUEUE_AGE_SECONDS,
                   f"The oldest queued design has waited {seconds:.0f} s (alert after "
                   f"{settings.ALERT_QUEUE_AGE_SECONDS} s).")


def _no_worker() -> Reading | None:
    if not settings.ALERT_NO_WORKER:
        return None
    workers = ops.workers()
    if not workers:
        return Reading(True, "No worker process has a heartbeat: designs are not being processed.")
    return Reading(False, f"{len(workers)} worker process(es) alive.")


TITLES = {
    "gpu_budget": "GPU spend passed {percent}% of the daily budget",
    "failure_rate": "Designs are failing",
    "queue_age": "Designs wait too long in the queue",
    "no_worker": "No worker is running",
}


def checks() -> dict[str, Callable[[], Reading | None]]:
    found: dict[str, Callable[[], Reading | None]] = {
        f"gpu_budget_{percent}": _budget(percent) for percent in settings.ALERT_BUDGET_PERCENTS}
    found.update(failure_rate=_failure_rate, queue_age=_queue_age, no_worker=_no_worker)
    return found


def title(alert: str) -> str:
    if alert.startswith("gpu_budget_"):
        return TITLES["gpu_budget"].format(percent=alert.removeprefix("gpu_budget_"))
    return TITLES.get(alert, alert)


def alerts_evaluate() -> list[tuple[str, str]]:
    """Read every condition, open or resolve incidents, notify. Returns what this call sent: (alert, state)."""
    sent = []
    open_now = {incident.alert: incident for incident in ops.open_alerts()}
    for alert, check in checks().items():
        try:
            reading = check()
        except Exception:  # its source is down: neither opened nor resolved, read again next time
            log.warning("alert %s could not be evaluated", alert, exc_info=True)
            continue
        if reading is None:
            continue
        if reading.firing and alert not in open_now and _open(alert, reading.summary):
            sent.append((alert, "firing"))
        elif not reading.firing and alert in open_now and _resolve(open_now[alert], reading.summary):
            sent.append((alert, "resolved"))
    return sent


def _open(alert: str, summary: str) -> bool:
    try:
        with transaction.atomic():
            AlertIncident.objects.create(alert=alert, summary=summary[:300])
    except IntegrityError:
        return False  # another process opened it a moment ago, and sends it
    notify(alert=alert, state="firing", summary=summary)
    return True


def _resolve(incident: AlertIncident, summary: str) -> bool:
    resolved = AlertIncident.objects.filter(pk=incident.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_summary=summary[:300])
    if resolved:
        notify(alert=incident.alert, state="resolved", summary=summary)
    return bool(resolved)


def notify(*, alert: str, state: str, summary: str) -> None:
    """Mail and webhook; a channel that fails is logged (the incident row still records the alert)."""
    heading = f"{'RESOLVED' if state == 'resolved' else 'ALERT'}: {title(alert)}"
    body = f"{heading}\n\n{summary}\n\nOperations page: {PAGE}\nAlert: {alert}\n"
    recipients = recipients_for_alerts()
    if recipients:
        try:
            send_mail(f"[Restyle] {heading}", body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:
            log.exception("alert %s (%s): mail not sent", alert, state)
    if settings.ALERT_WEBHOOK_URL:
        _post(alert=alert, state=state, text=f"{heading}. {summary}", summary=summary)


def recipients_for_alerts() -> list[str]:
    if settings.ALERT_EMAILS:
        return list(settings.ALERT_EMAILS)
    from accounts.models import User

    return list(User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("email")
                .values_list("email", flat=True))


def _post(*, alert: str, state: str, text: str, summary: str) -> None:
    # "text" is what Slack's and Mattermost's incoming webhooks show; the other fields are for anything else.
    payload = {"text": text, "alert": alert, "state": state, "summary": summary,
               "at": timezone.now().isoformat(timespec="seconds")}
    request = urllib.request.Request(settings.ALERT_WEBHOOK_URL, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "Restyle-Alerts"})
    try:
        with urllib.request.urlopen(request, timeout=settings.ALERT_WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read()
    except Exception:
        log.exception("alert %s (%s): webhook not called", alert, state)


def alerts_evaluate_due() -> list[tuple[str, str]]:
    """At most one evaluation per ALERT_INTERVAL_SECONDS across every process that asks."""
    if not settings.ALERTS_ENABLED:
        return []
    if not cache.add("designs:alerts", 1, timeout=max(1, int(settings.ALERT_INTERVAL_SECONDS * 0.8))):
        return []
    return alerts_evaluate()


def web_timer_start() -> threading.Thread | None:
    """The web process's own evaluator (the workers may all be dead). Started by config/asgi.py."""
    if not settings.ALERTS_ENABLED:
        return None
    thread = threading.Thread(target=_web_loop, name="alerts-timer", daemon=True)
    thread.start()
    return thread


def _web_loop() -> None:
    stop = threading.Event()
    while not stop.wait(settings.ALERT_INTERVAL_SECONDS):
        close_old_connections()
        try:
            alerts_evaluate_due()
        except Exception:  # the database or Redis away for a moment: next interval
            log.warning("could not evaluate alerts", exc_info=True)
        finally:
            close_old_connections()
