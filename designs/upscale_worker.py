"""What the worker does with an upscale: claim it, run the GPU backend's `upscale`, record progress, store the file.

The same rules as designs/worker.py, on the Upscale row: the claim is a conditional update with a lease, every
write is conditional on still holding the claim (`attempts`), the file is stored once, every attempt's GPU
time is charged, and an upscale that ends without a file gives its images back exactly once.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from dramatiq.middleware import Shutdown

from billing.upscales import upscale_cost_record, upscale_refund
from designs import worker
from designs.files import file_delete, file_save
from designs.models import Upscale, UpscaleStatus
from designs.upscales import upscale_publish, upscale_send
from gpu.errors import Cancelled, ModelUnavailable, RestyleError
from gpu.types import Event, UpscaleRequest, UpscaleResult

log = logging.getLogger(__name__)


class LostClaim(Exception):
    """Cancelled, deleted or taken over while we worked on it."""


def upscale_run(upscale_id: str, *, backend=None) -> None:
    attempt = upscale_claim(upscale_id)
    if attempt is None:
        return  # finished, cancelled, deleted, or another worker holds it
    upscale = Upscale.objects.select_related("design", "result").get(pk=upscale_id)
    try:
        backend = backend or _backend()
        _consume(upscale, attempt, backend)
    except Shutdown:
        upscale_requeue(upscale.pk, attempt, delay_ms=0)
    except (Cancelled, LostClaim):
        if _mine(upscale.pk, attempt).exists():  # we stopped it ourselves: the deadline passed
            upscale_fail(upscale.pk, attempt, "timeout", "This upscale took too long and was stopped.")
        else:
            log.info("upscale %s stopped: cancelled or taken over", upscale_id)
    except RestyleError as error:
        _retry_or_fail(upscale, attempt, error.code, error.message, transient=error.transient)
    except Exception:
        log.exception("upscale %s failed unexpectedly (attempt %s)", upscale_id, attempt)
        _retry_or_fail(upscale, attempt, "internal_error", "Something went wrong on our side.", transient=True)


UPSCALE_ENGINES = ("local", "modal")  # the engines whose backend has `upscale` (gpu/backends/)


def _backend():
    """The first engine of the deployment's failover order that can upscale."""
    from designs.engines import engine_backend, engines_configured

    for name in engines_configured():
        if name in UPSCALE_ENGINES:
            return engine_backend(name)
    raise ModelUnavailable("No GPU engine here can upscale: GPU_ENGINES needs local or modal for upscales.")


def upscale_claim(upscale_id: str) -> int | None:
    now = timezone.now()
    claimable = Q(status=UpscaleStatus.QUEUED) | Q(status=UpscaleStatus.UPSCALING, lease_until__lt=now)
    claimed = Upscale.objects.filter(claimable, pk=upscale_id, deadline_at__gt=now).update(
        status=UpscaleStatus.UPSCALING, message="Starting...", attempts=F("attempts") + 1, lease_until=worker.lease(),
        started_at=Coalesce(F("started_at"), now), seq=F("seq") + 1,
    )
    if not claimed:
        return None
    attempts = Upscale.objects.filter(pk=upscale_id).values_list("attempts", flat=True).first()
    if attempts is None:
        return None
    if attempts > settings.DESIGN_MAX_ATTEMPTS:
        upscale_fail(upscale_id, attempts, "too_many_attempts", "We could not finish this upscale. Please try again.")
        return None
    return attempts


def _mine(upscale_id, attempt: int):
    return Upscale.objects.filter(pk=upscale_id, attempts=attempt, status=UpscaleStatus.UPSCALING)


def _consume(upscale: Upscale, attempt: int, backend) -> None:
    with worker.LeaseKeeper(f"upscale {upscale.pk}", lambda: _mine(upscale.pk, attempt)):
        with upscale.result.image.open("rb") as stored:
            image = stored.read()
        request = UpscaleRequest(image=image, factor=upscale.factor, max_side=settings.UPSCALE_MAX_SIDE)
        events = backend.upscale(request, should_cancel=lambda: _should_stop(upscale, attempt))
        running_since = None
        try:
            for event in events:
                running_since = running_since or time.monotonic()
                if event.is_final:
                    upscale_complete(upscale, attempt, event.upscaled, backend=backend)
                    return
                _record(upscale, attempt, event)
            raise RestyleError("The GPU backend stopped without a result.")
        except BaseException:
            if running_since is not None:
                _charge_unfinished(upscale, attempt, backend, seconds=time.monotonic() - running_since)
            raise


def _should_stop(upscale: Upscale, attempt: int) -> bool:
    if timezone.now() > upscale.deadline_at:
        return True
    try:
        return not _mine(upscale.pk, attempt).exists()
    except worker.DATABASE_UNREACHABLE:
        connection.close()
        return False


def _record(upscale: Upscale, attempt: int, event: Event) -> None:
    try:
        updated = _mine(upscale.pk, attempt).update(
            progress=Greatest(F("progress"), event.progress), message=event.message[:200], seq=F("seq") + 1,
            lease_until=worker.lease(),
        )
    except worker.DATABASE_UNREACHABLE:
        log.warning("upscale %s: database unreachable, progress event skipped", upscale.pk)
        connection.close()
        return
    if not updated:
        raise LostClaim
    upscale_publish(upscale)


def upscale_complete(upscale: Upscale, attempt: int, result: UpscaleResult, *, backend) -> None:
    prefix = upscale.design.storage_prefix
    name = file_save(f"{prefix}/upscale-{upscale.result.index + 1}-{upscale.factor}x-a{attempt}.jpg", result.image)
    with transaction.atomic():
        updated = _mine(upscale.pk, attempt).update(
            status=UpscaleStatus.COMPLETED, progress=1.0, message="Done", finished_at=timezone.now(),
            lease_until=None, seq=F("seq") + 1, image=name, width=result.width, height=result.height,
        )
        if updated:
            _charge_and_describe(upscale, attempt, result, backend)
            transaction.on_commit(lambda: upscale_publish(upscale))
    if not updated:
        file_delete(name)  # cancelled or taken over meanwhile: the file is nobody's
        raise LostClaim


def _charge_and_describe(upscale: Upscale, attempt: int, result: UpscaleResult, backend) -> None:
    gpu_type = worker._gpu_type(backend, result.device)
    cost = upscale_cost_record(upscale=upscale, attempt=attempt, gpu_seconds=result.gpu_seconds,
                               gpu_type=gpu_type, backend=backend.name, worker=worker.worker_name())
    Upscale.objects.filter(pk=upscale.pk).update(metadata={
        "timings": result.timings, "model": result.model, "device": result.device, "backend": backend.name,
        "gpu_seconds": round(result.gpu_seconds, 3), "gpu_type": gpu_type, "cost_usd": cost,
    })


def _charge_unfinished(upscale: Upscale, attempt: int, backend, *, seconds: float) -> None:
    try:
        upscale_cost_record(upscale=upscale, attempt=attempt, gpu_seconds=seconds, gpu_type=worker._gpu_type(backend),
                            completed=False, backend=backend.name, worker=worker.worker_name())
    except Exception:
        log.warning("upscale %s: could not charge attempt %s", upscale.pk, attempt, exc_info=True)


def _retry_or_fail(upscale: Upscale, attempt: int, code: str, message: str, *, transient: bool) -> None:
    if transient and attempt < settings.DESIGN_MAX_ATTEMPTS and upscale_requeue(upscale.pk, attempt):
        log.warning("upscale %s: %s on attempt %s, retrying", upscale.pk, code, attempt)
        return
    upscale_fail(upscale.pk, attempt, code, message)


def upscale_requeue(upscale_id, attempt: int, *, delay_ms: int | None = None) -> bool:
    """Give back the upscale we hold (`attempt`) to the queue, after a backoff unless `delay_ms` says otherwise."""
    delay = delay_ms if delay_ms is not None else min(1000 * 2 ** attempt, 30_000)
    return _queue_again(_mine(upscale_id, attempt), upscale_id, delay_ms=delay)


def upscale_resend(upscale_id, *, delay_ms: int = 0) -> bool:
    """Send the message of an upscale that is still queued again (the reaper, for a lost message)."""
    rows = Upscale.objects.filter(pk=upscale_id, status=UpscaleStatus.QUEUED)
    return _queue_again(rows, upscale_id, delay_ms=delay_ms)


def _queue_again(rows, upscale_id, *, delay_ms: int) -> bool:
    if not rows.update(status=UpscaleStatus.QUEUED, message="Waiting for a free GPU...", lease_until=None,
                       queued_at=timezone.now(), seq=F("seq") + 1):
        return False
    priority = Upscale.objects.filter(pk=upscale_id).values_list("queue_priority", flat=True).first() or 0
    upscale_send(upscale_id, priority=priority, delay_ms=delay_ms)
    return True


def upscale_fail(upscale_id, attempt: int, code: str, message: str) -> bool:
    """End the upscale we hold (`attempt`) as failed. It ends without a file: its images are given back (once)."""
    return _fail_rows(_unfinished(upscale_id).filter(attempts=attempt), upscale_id, code, message)


def upscale_abort(upscale_id, code: str, message: str) -> bool:
    """End an unfinished upscale whoever holds it (the reaper, past its deadline), its images given back once."""
    return _fail_rows(_unfinished(upscale_id), upscale_id, code, message)


def _unfinished(upscale_id):
    return Upscale.objects.filter(pk=upscale_id, status__in=[UpscaleStatus.QUEUED, UpscaleStatus.UPSCALING])


def _fail_rows(rows, upscale_id, code: str, message: str) -> bool:
    with transaction.atomic():
        if not rows.update(status=UpscaleStatus.FAILED, error_code=code, error_message=message[:300],
                           message=message[:200], finished_at=timezone.now(), lease_until=None, seq=F("seq") + 1):
            return False
        upscale = Upscale.objects.select_related("result").get(pk=upscale_id)
        upscale_refund(upscale=upscale, reason=code)
        transaction.on_commit(lambda: upscale_publish(upscale))
    log.warning("upscale %s failed: %s", upscale_id, code)
    return True


def upscales_reap() -> dict[str, int]:
    """The reaper's share: fail upscales past their deadline, take back silent workers' claims, resend lost ones."""
    now = timezone.now()
    counts = {"upscales_failed": 0, "upscales_requeued": 0, "upscales_resent": 0}
    unfinished = [UpscaleStatus.QUEUED, UpscaleStatus.UPSCALING]
    for upscale_id in Upscale.objects.filter(status__in=unfinished, deadline_at__lte=now).values_list("pk", flat=True):
        counts["upscales_failed"] += upscale_abort(upscale_id, "timeout",
                                                   "This upscale took too long and was stopped.")
    for upscale_id, attempt in Upscale.objects.filter(status=UpscaleStatus.UPSCALING, lease_until__lt=now).values_list(
        "pk", "attempts"
    ):
        counts["upscales_requeued"] += upscale_requeue(upscale_id, attempt, delay_ms=0)
    stale = now - timedelta(seconds=settings.DESIGN_REQUEUE_AFTER_SECONDS)
    for upscale_id in Upscale.objects.filter(status=UpscaleStatus.QUEUED, queued_at__lt=stale).values_list("pk",
                                                                                                            flat=True):
        counts["upscales_resent"] += upscale_resend(upscale_id, delay_ms=0)
    return counts
