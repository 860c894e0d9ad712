"""What the worker does with an upscale: claim it, run the GPU backend's `upscale`, record progress, store the file.

The same rules as designs/worker.py, on the Upscale row: the claim is a conditional update with a lease, every
write is conditional on still holding the claim (`attempts`), the file is stored once, every attempt's GPU
time is charged, and an upscale that ends without a file gives its images back exactly once.
"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from dramatiq.middleware import Shutdown

from billing.upscales import upscale_cost_record, upscale_refund
from designs import jobs, worker
from designs.files import file_delete, file_save
from designs.jobs import LostClaim  # noqa: F401  (its name here too)
from designs.models import Upscale, UpscaleStatus
from designs.upscales import upscale_publish, upscale_send
from gpu.errors import Cancelled, ModelUnavailable, RestyleError
from gpu.types import Event, UpscaleRequest, UpscaleResult

log = logging.getLogger(__name__)


def upscale_run(upscale_id: str, *, backend=None) -> None:
    attempt = upscale_claim(upscale_id)
    if attempt is None:
        return  # finished, cancelled, deleted, or another worker holds it
    upscale = Upscale.objects.select_related("design", "result").get(pk=upscale_id)
    try:
        backend = backend or _backend()
        _consume(upscale, attempt, backend)
    except Shutdown:
        jobs.connection_after_interrupt()
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
    """Take the upscale if it is queued, or running under an expired lease. Returns our attempt number."""
    return jobs.job_claim(UPSCALE_JOB, upscale_id)


def _mine(upscale_id, attempt: int):
    return jobs.job_mine(UPSCALE_JOB, upscale_id, attempt)


def _consume(upscale: Upscale, attempt: int, backend) -> None:
    with jobs.LeaseKeeper(f"upscale {upscale.pk}", lambda: _mine(upscale.pk, attempt)):
        with upscale.result.image.open("rb") as stored:
            image = stored.read()
        request = UpscaleRequest(image=image, factor=upscale.factor, max_side=settings.UPSCALE_MAX_SIDE)
        events = backend.upscale(request, should_cancel=lambda: jobs.job_should_stop(UPSCALE_JOB, upscale, attempt))
        jobs.job_events(
            UPSCALE_JOB, upscale, attempt, events,
            final=lambda event: upscale_complete(upscale, attempt, event.upscaled, backend=backend),
            record=lambda event: _record(upscale, attempt, event),
            charge_unfinished=lambda seconds: upscale_cost_record(
                upscale=upscale, attempt=attempt, gpu_seconds=seconds, gpu_type=worker._gpu_type(backend),
                completed=False, backend=backend.name, worker=worker.worker_name()),
        )


def _record(upscale: Upscale, attempt: int, event: Event) -> None:
    if jobs.job_record(UPSCALE_JOB, upscale, attempt, event):
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


def _retry_or_fail(upscale: Upscale, attempt: int, code: str, message: str, *, transient: bool) -> None:
    jobs.job_retry_or_fail(UPSCALE_JOB, upscale, attempt, code, message, transient=transient)


def upscale_requeue(upscale_id, attempt: int, *, delay_ms: int | None = None) -> bool:
    """Give back the upscale we hold (`attempt`) to the queue, after a backoff unless `delay_ms` says otherwise."""
    return jobs.job_requeue(UPSCALE_JOB, upscale_id, attempt, delay_ms=delay_ms)


def upscale_resend(upscale_id, *, delay_ms: int = 0) -> bool:
    """Send the message of an upscale that is still queued again (the reaper, for a lost message)."""
    return jobs.job_resend(UPSCALE_JOB, upscale_id, delay_ms=delay_ms)


# An upscale ends without a file only before it stored one (the write that stores it completes it): each of its
# failures gives its images back, so these pass refund=True.


def upscale_fail(upscale_id, attempt: int, code: str, message: str) -> bool:
    """End the upscale we hold (`attempt`) as failed. It ends without a file: its images are given back (once)."""
    return jobs.job_fail(UPSCALE_JOB, upscale_id, attempt, code, message, refund=True)


def upscale_abort(upscale_id, code: str, message: str) -> bool:
    """End an unfinished upscale whoever holds it (the reaper, past its deadline), its images given back once."""
    return jobs.job_abort(UPSCALE_JOB, upscale_id, code, message, refund=True)


def _failed(upscale_id, code: str, *, refund: bool, engine: str | None) -> None:
    """In the transaction that failed the upscale: its images given back if the caller decided so, watchers told."""
    upscale = Upscale.objects.select_related("result").get(pk=upscale_id)
    if refund:
        upscale_refund(upscale=upscale, reason=code)
    transaction.on_commit(lambda: upscale_publish(upscale))


def upscales_reap() -> dict[str, int]:
    """The reaper's share: fail upscales past their deadline, take back silent workers' claims, resend lost ones."""
    return jobs.jobs_reap(UPSCALE_JOB)


UPSCALE_JOB = jobs.JobKind(
    model=Upscale, noun="upscale", log=log, queued=UpscaleStatus.QUEUED, running=(UpscaleStatus.UPSCALING,),
    finished=(UpscaleStatus.COMPLETED, UpscaleStatus.FAILED, UpscaleStatus.CANCELLED), failed=UpscaleStatus.FAILED,
    claimed={"status": UpscaleStatus.UPSCALING},  # an upscale has no stages
    send=lambda *args, **kwargs: upscale_send(*args, **kwargs), failed_end=_failed,
    reap_prefix="upscales_",  # the reaper reports designs' and upscales' counts together
)
