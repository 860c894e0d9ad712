"""A GPU job, written once for designs (designs/worker.py) and upscales (designs/upscale_worker.py).

`GpuJob` holds the columns every job has; `JobKind` says what differs between kinds (their statuses, how a
claim marks the row, where the message is sent, what a failure does beyond the row: refund, metrics,
webhooks, publish). The lifecycle below is the one both workers follow:

- a claim is a conditional update with a lease: the job is queued, or running under an expired lease;
- every later write is conditional on still holding the claim (`attempts`) and the job still running;
- a job is given back to the queue (requeue) by the one who holds it, or its message sent again (resend)
  when it is still queued and nobody holds it;
- a job ends as failed once, whoever holds it (abort) or only by its holder (fail), with the refund the
  caller decides on.

Nothing here imports designs.models: the models import this module for GpuJob.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection, models, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from gpu.errors import RestyleError
from gpu.types import Event


class GpuJob(models.Model):
    """The columns of a job that workers claim, run under a lease, and end. Each kind declares its own
    `status` (its stages differ) and says which statuses are finished in FINISHED_STATUSES."""

    FINISHED_STATUSES: tuple[str, ...] = ()

    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=200, blank=True)
    seq = models.PositiveIntegerField(default=0)

    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)  # a worker's claim; expired → another may take it
    queued_at = models.DateTimeField(null=True, blank=True)  # when the job message was last sent
    # The plan's queue priority at submit: every send of the job (retries, the reaper's) uses its queue.
    queue_priority = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField()

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES


# A database that blinked (connection cut, refused, restarting): worth waiting out, unlike a constraint error.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


def connection_after_interrupt() -> None:
    """Dramatiq raises Shutdown in a worker thread wherever it is, perhaps halfway through a query: the thread's
    connection can be left mid-command ("another command is already in progress"), and every write that hands
    the job back would fail on it. Such a connection is dropped; the next query opens a fresh one."""
    if connection.connection is not None and not connection.in_atomic_block and not connection.is_usable():
        connection.close()


class LostClaim(Exception):
    """The job was cancelled, deleted or taken over while we worked on it."""


@dataclass(frozen=True)
class JobKind:
    """What one kind of job does differently; the lifecycle functions take it first."""

    model: type[GpuJob]
    noun: str  # "design", "upscale": in log lines and messages to the person
    log: logging.Logger  # the worker module's, so log lines keep their logger
    queued: str
    running: tuple[str, ...]
    finished: tuple[str, ...]
    failed: str
    claimed: dict  # what a claim writes besides the lease and counters: the first running status (and stage)
    send: Callable[..., None]  # send(job_id, priority=, delay_ms=): the job's message to its plan's queue
    # Called in the transaction that failed the row: refund (when `refund`), metrics, webhooks, publish.
    failed_end: Callable[..., None]  # failed_end(job_id, code, refund=, engine=)
    picked_up: Callable[..., None] | None = None  # picked_up(queued_at=, priority=) on each claim
    # A column of attempts that do not count towards DESIGN_MAX_ATTEMPTS (those before a staff retry).
    retry_base: str | None = None
    reap_prefix: str = ""  # the reaper's count names: f"{reap_prefix}failed", ...


def lease():
    return timezone.now() + timedelta(seconds=settings.DESIGN_LEASE_SECONDS)


def job_mine(kind: JobKind, job_id, attempt: int) -> QuerySet:
    """The job's row while we still hold it: our attempt, still running."""
    return kind.model.objects.filter(pk=job_id, attempts=attempt, status__in=kind.running)


def job_claim(kind: JobKind, job_id) -> int | None:
    """Take the job if it is queued, or running under an expired lease. Returns our attempt number."""
    now = timezone.now()
    claimable = Q(status=kind.queued) | Q(status__in=kind.running, lease_until__lt=now)
    claimed = kind.model.objects.filter(claimable, pk=job_id, deadline_at__gt=now).update(
        **kind.claimed, message="Starting...", attempts=F("attempts") + 1, lease_until=lease(),
        started_at=Coalesce(F("started_at"), now), seq=F("seq") + 1,
    )
    if not claimed:
        return None
    columns = ("attempts", "queued_at", "queue_priority", *((kind.retry_base,) if kind.retry_base else ()))
    row = kind.model.objects.filter(pk=job_id).values(*columns).first()
    if row is None:
        return None
    if kind.picked_up is not None:
        kind.picked_up(queued_at=row["queued_at"], priority=row["queue_priority"])
    attempts = row["attempts"]
    if attempts - (row[kind.retry_base] if kind.retry_base else 0) > settings.DESIGN_MAX_ATTEMPTS:
        job_fail(kind, job_id, attempts, "too_many_attempts",
                 f"We could not finish this {kind.noun}. Please try again.", refund=True)
        return None
    return attempts


class LeaseKeeper:
    """Renews our claim while we work on a job (a design, an upscale), so that only a dead worker loses it.

    Events alone do not keep it: waiting for a GPU and a cold start on Modal, or loading the models
    locally, can outlast the lease without one, and the reaper then handed a healthy design to another
    worker, again and again, until it failed with too_many_attempts. A hung backend is not kept alive
    forever by this: the deadline stops it. `mine` gives the job's row while we still hold it.
    """

    def __init__(self, name: str, mine: Callable[[], QuerySet]) -> None:
        self._name, self._mine = name, mine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{name}", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        log = logging.getLogger("designs.worker")
        try:
            while not self._stop.wait(settings.DESIGN_LEASE_SECONDS / 3):
                try:
                    if not self._mine().update(lease_until=lease()):
                        return  # cancelled or taken over: the job's should-stop check tells the backend
                except DatabaseError:
                    log.warning("%s: could not renew the lease", self._name, exc_info=True)
                    connection.close()  # the database blinked: a fresh connection at the next beat
        finally:
            connection.close()  # this thread's own connection


def job_should_stop(kind: JobKind, job: GpuJob, attempt: int) -> bool:
    """The backend's cancel check: past the deadline, or no longer ours."""
    if timezone.now() > job.deadline_at:
        return True
    try:
        return not job_mine(kind, job.pk, attempt).exists()
    except DATABASE_UNREACHABLE:
        connection.close()
        return False  # cannot tell: go on; every write is conditional on the claim anyway


def job_events(kind: JobKind, job: GpuJob, attempt: int, events: Iterable[Event], *,
               final: Callable[[Event], None], record: Callable[[Event], None],
               charge_unfinished: Callable[[float], None]) -> None:
    """Run the backend's events to the final one. An attempt that ends without a result still used the GPU from
    its first event on (before that it may have been waiting for one): `charge_unfinished(seconds)`, which never
    makes the error being handled go unseen."""
    running_since = None
    try:
        for event in events:
            running_since = running_since or time.monotonic()
            if event.is_final:
                final(event)
                return
            record(event)
        raise RestyleError("The GPU backend stopped without a result.")
    except BaseException:
        connection_after_interrupt()
        if running_since is not None:
            seconds = time.monotonic() - running_since
            try:
                charge_unfinished(seconds)
            except Exception:
                kind.log.warning("%s %s: could not charge attempt %s's %.1f GPU seconds", kind.noun, job.pk, attempt,
                                 seconds, exc_info=True)
        raise


def job_record(kind: JobKind, job: GpuJob, attempt: int, event: Event, *, writes: dict | None = None,
               refresh: Iterable[str] = ()) -> bool:
    """Write the event's progress (never backwards) and message, and renew the lease, while the job is ours.
    True when written; False when the database was unreachable (the event is skipped, not the job: the next one
    writes a newer state anyway); LostClaim when the job is no longer ours."""
    try:
        updated = job_mine(kind, job.pk, attempt).update(
            **(writes or {}), progress=Greatest(F("progress"), event.progress), message=event.message[:200],
            seq=F("seq") + 1, lease_until=lease(),
        )
        if updated and refresh:
            job.refresh_from_db(fields=list(refresh))
    except DATABASE_UNREACHABLE:
        kind.log.warning("%s %s: database unreachable, progress event skipped", kind.noun, job.pk)
        connection.close()
        return False
    if not updated:
        raise LostClaim
    return True


def job_retry_or_fail(kind: JobKind, job: GpuJob, attempt: int, code: str, message: str, *, transient: bool,
                      engine: str | None = None) -> None:
    """A failed attempt: queued again after a backoff if the error may pass and attempts are left, else failed
    with the quota given back (the worker fails a job only before it has a result)."""
    this_run = attempt - (getattr(job, kind.retry_base) if kind.retry_base else 0)  # since staff last retried it
    if transient and this_run < settings.DESIGN_MAX_ATTEMPTS and job_requeue(kind, job.pk, attempt):
        kind.log.warning("%s %s: %s on attempt %s, retrying", kind.noun, job.pk, code, attempt)
        return
    job_fail(kind, job.pk, attempt, code, message, refund=True, engine=engine)


def job_requeue(kind: JobKind, job_id, attempt: int, *, delay_ms: int | None = None) -> bool:
    """Give back the job we hold (`attempt`) to the queue and send its message again, after a backoff unless
    `delay_ms` says otherwise."""
    delay = delay_ms if delay_ms is not None else min(1000 * 2 ** attempt, 30_000)
    return _queue_again(kind, job_mine(kind, job_id, attempt), job_id, delay_ms=delay)


def job_resend(kind: JobKind, job_id, *, delay_ms: int) -> bool:
    """Send the message of a job that is still queued again: nobody holds it."""
    return _queue_again(kind, kind.model.objects.filter(pk=job_id, status=kind.queued), job_id, delay_ms=delay_ms)


def _queue_again(kind: JobKind, rows: QuerySet, job_id, *, delay_ms: int) -> bool:
    if not rows.update(status=kind.queued, message="Waiting for a free GPU...", lease_until=None,
                       queued_at=timezone.now(), seq=F("seq") + 1):
        return False
    priority = kind.model.objects.filter(pk=job_id).values_list("queue_priority", flat=True).first() or 0
    kind.send(job_id, priority=priority, delay_ms=delay_ms)  # back to its plan's queue
    return True


def job_fail(kind: JobKind, job_id, attempt: int, code: str, message: str, *, refund: bool,
             engine: str | None = None) -> bool:
    """Fail the job we hold (`attempt` is our claim), giving its quota back if `refund`."""
    return _fail_rows(kind, _unfinished(kind, job_id).filter(attempts=attempt), job_id, code, message,
                      refund=refund, engine=engine)


def job_abort(kind: JobKind, job_id, code: str, message: str, *, refund: bool) -> bool:
    """Fail an unfinished job whoever holds it, queued or running (the reaper, past its deadline)."""
    return _fail_rows(kind, _unfinished(kind, job_id), job_id, code, message, refund=refund, engine=None)


def _unfinished(kind: JobKind, job_id) -> QuerySet:
    return kind.model.objects.filter(pk=job_id).exclude(status__in=kind.finished)


def _fail_rows(kind: JobKind, rows: QuerySet, job_id, code: str, message: str, *, refund: bool,
               engine: str | None) -> bool:
    with transaction.atomic():
        if not rows.update(status=kind.failed, error_code=code, error_message=message[:300], message=message[:200],
                           finished_at=timezone.now(), lease_until=None, seq=F("seq") + 1):
            return False
        kind.failed_end(job_id, code, refund=refund, engine=engine)
    kind.log.warning("%s %s failed: %s", kind.noun, job_id, code)
    return True


def jobs_reap(kind: JobKind) -> dict[str, int]:
    """Nothing stays stuck: fail jobs past their deadline, take back silent workers' claims, and send again
    the messages of jobs that waited too long (a Redis restart can lose them)."""
    now = timezone.now()
    prefix = kind.reap_prefix
    counts = {f"{prefix}failed": 0, f"{prefix}requeued": 0, f"{prefix}resent": 0}
    objects = kind.model.objects
    for job_id in objects.filter(status__in=[kind.queued, *kind.running], deadline_at__lte=now).values_list(
        "pk", flat=True
    ):
        # Past its deadline without a result, whether it waited or ran: the person gets the quota back.
        counts[f"{prefix}failed"] += job_abort(kind, job_id, "timeout",
                                               f"This {kind.noun} took too long and was stopped.", refund=True)
    for job_id, attempt in objects.filter(status__in=kind.running, lease_until__lt=now).values_list(
        "pk", "attempts"
    ):
        counts[f"{prefix}requeued"] += job_requeue(kind, job_id, attempt, delay_ms=0)
    stale = now - timedelta(seconds=settings.DESIGN_REQUEUE_AFTER_SECONDS)
    for job_id in objects.filter(status=kind.queued, queued_at__lt=stale).values_list("pk", flat=True):
        counts[f"{prefix}resent"] += job_resend(kind, job_id, delay_ms=0)
    return counts
