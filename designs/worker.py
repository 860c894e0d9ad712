"""What the worker does with a design: claim it, run the GPU backend, record events, store results.

Safe to run twice for the same design: the claim is a conditional update with a lease, every write
is conditional on still holding the claim (`attempts`), and results are stored once.
"""
from __future__ import annotations

import base64
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from dramatiq.middleware import Shutdown

from billing import services as billing
from designs import engines, jobs, layout, metrics
from designs.files import file_delete, file_save
from designs.jobs import DATABASE_UNREACHABLE, LeaseKeeper, LostClaim, lease  # noqa: F401  (their names here too)
from designs.models import RUNNING, Design, DesignResult, Status
from designs.progress import progress_event, publish, publish_state
from designs.queues import design_send
from designs.webhooks import delivery_record
from gpu.errors import Cancelled, RestyleError
from gpu.types import Event, RestyleRequest, RestyleResult
from projects.consistency import design_ended as project_design_ended
from projects.consistency import design_gate as project_gate

log = logging.getLogger(__name__)

# Worker threads whose worker is stopping. Dramatiq stops its threads only after the shutdown notice, and its
# consumers after that: in between, a thread that just handed its design back can take the next message from
# the queue (even that same design) and start it, only to be stopped again. Such a thread leaves it queued.
_stopping_threads: set[int] = set()


def threads_stopping(idents) -> None:
    _stopping_threads.update(idents)


def threads_stopped(idents) -> None:
    _stopping_threads.difference_update(idents)


def design_run(design_id: str, *, backend=None) -> None:
    if threading.get_ident() in _stopping_threads:
        design_resend(design_id)  # after a short delay, for a worker that is not stopping
        return
    if not project_gate(design_id):
        return  # a project's design waiting for the project's style reference: no claim, no attempt
    attempt = design_claim(design_id)
    if attempt is None:
        return  # finished, cancelled, deleted, or another worker holds it: a redelivery, nothing to do
    design = Design.objects.get(pk=design_id)
    engine = backend.name if backend is not None else ""
    # Each branch records how the attempt ended before it requeues: the next claim, on any worker, reads it
    # to pick its engine (designs/engines.py).
    try:
        # The lease is kept from here: picking the engine and building its client (imports) take time too.
        with LeaseKeeper(f"design {design.pk}", lambda: _mine(design.pk, attempt)):
            engines.attempt_begin(design, attempt, engine)
            if backend is None:
                backend = engines.engine_backend(engines.engine_pick(design, attempt))
                engine = backend.name
                engines.attempt_begin(design, attempt, engine)
            _consume(design, attempt, backend)
    except Shutdown:
        jobs.connection_after_interrupt()
        engines.attempt_end(design, attempt, engine, "handed_back")
        design_hand_back(design.pk, attempt)
    except (Cancelled, LostClaim):
        engines.attempt_end(design, attempt, engine, "cancelled")
        if _mine(design.pk, attempt).exists():  # we stopped it ourselves: the deadline passed
            design_fail(design.pk, attempt, "timeout", "This design took too long and was stopped.", refund=True,
                        engine=engine)
        else:
            log.info("design %s stopped: cancelled or taken over", design_id)
    except RestyleError as error:  # NoEngineAvailable too: every breaker open, this attempt waits as after a fault
        engines.attempt_end(design, attempt, engine, error.code)
        _retry_or_fail(design, attempt, error.code, error.message, transient=error.transient,
                       engine=engine)
    except Exception:
        log.exception("design %s failed unexpectedly (attempt %s)", design_id, attempt)
        engines.attempt_end(design, attempt, engine, "internal_error")
        _retry_or_fail(design, attempt, "internal_error", "Something went wrong on our side.", transient=True,
                       engine=engine)
    else:
        engines.attempt_end(design, attempt, engine, "completed")
        project_design_ended(design.pk)  # a project's waiting designs start now, not at their next look


def design_claim(design_id: str) -> int | None:
    """Take the design if it is queued, or running under an expired lease. Returns our attempt number."""
    return jobs.job_claim(DESIGN_JOB, design_id)


def _mine(design_id, attempt: int):
    return jobs.job_mine(DESIGN_JOB, design_id, attempt)


def _consume(design: Design, attempt: int, backend) -> None:
    request = _request_for(design)
    events = backend.restyle(request, should_cancel=lambda: jobs.job_should_stop(DESIGN_JOB, design, attempt))
    jobs.job_events(
        DESIGN_JOB, design, attempt, events,
        final=lambda event: design_complete(design, attempt, event.result, backend=backend),
        record=lambda event: _record(design, attempt, event),
        charge_unfinished=lambda seconds: billing.cost_record(
            design=design, attempt=attempt, gpu_seconds=seconds, gpu_type=_gpu_type(backend), completed=False,
            backend=backend.name, worker=worker_name()),
    )


def _request_for(design: Design) -> RestyleRequest:
    """The design's columns and stored files, and its options (designs/options.py) field for field."""
    with design.original.open("rb") as original:
        image = original.read()
    return RestyleRequest(
        image=image, style=design.style, room_type=design.room_type or None, variations=design.variations,
        resolution=design.resolution, steps=settings.DESIGN_STEPS, mode=design.mode, mask=_file_bytes(design.mask),
        style_reference=_file_bytes(design.reference), **design.options.request_fields(),
    )


def _file_bytes(field) -> bytes | None:
    if not field.name:
        return None
    with field.open("rb") as stored:
        return stored.read()


def _record(design: Design, attempt: int, event: Event) -> None:
    """Write the stage and progress (never backwards), then tell the watchers.

    A database blink skips the event, not the design: the next event writes a newer state anyway, and
    abandoning the run would cost a second GPU run after the lease expired.
    """
    if not jobs.job_record(DESIGN_JOB, design, attempt, event, writes={"status": event.stage, "stage": event.stage},
                           refresh=["status", "stage", "progress", "message", "seq"]):
        return
    preview = f"data:image/jpeg;base64,{base64.b64encode(event.preview).decode()}" if event.preview else None
    publish(design.pk, progress_event(design, preview))


class _NotOurs(Exception):
    """The final write found the design no longer ours, or its results already stored."""


def design_complete(design: Design, attempt: int, result: RestyleResult, *, backend) -> None:
    names = _store_files(design, attempt, result)
    try:
        _through_blinks(lambda: _complete_rows(design, attempt, result, names, backend), design_id=design.pk)
    except _NotOurs:
        # Cancelled, deleted or taken over. design_delete ends a design before it lists the folder, so files
        # stored before this write are either in its listing or, as here, ours to remove. (This check used to
        # run inside the rolled-back block, where every query fails: the files stayed behind.)
        if Design.objects.filter(pk=design.pk, attempts=attempt, status=Status.COMPLETED).exists():
            return  # an earlier try's COMMIT went through before the connection broke: these are our files
        _discard(names)
        raise LostClaim from None


def _through_blinks(write, *, design_id) -> None:
    """Retry a write the GPU already paid for while the database is unreachable, for up to a lease: past
    that the reaper may have given the design to another worker, and the write's claim check would fail."""
    give_up_at = time.monotonic() + settings.DESIGN_LEASE_SECONDS
    while True:
        try:
            return write()
        except DATABASE_UNREACHABLE:
            if time.monotonic() > give_up_at:
                raise
            log.warning("design %s: database unreachable, retrying the write", design_id)
            connection.close()
            time.sleep(1)


def _complete_rows(design: Design, attempt: int, result: RestyleResult, names: dict, backend) -> None:
    with transaction.atomic():
        now = timezone.now()
        updated = _mine(design.pk, attempt).update(
            status=Status.COMPLETED, stage=Status.FINALIZING, progress=1.0, message="Done", finished_at=now,
            lease_until=None, seq=F("seq") + 1, detected_room_type=result.detected_room_type or "",
            maps=names["maps"],
        )
        if not updated or design.results.exists():
            raise _NotOurs  # rolls the block back; design_complete decides about the files outside it
        kept = layout.verdicts([v.quality_score for v in result.variations], result.quality, result.models)
        DesignResult.objects.bulk_create(
            DesignResult(design=design, index=index, image=image, thumbnail=thumb, seed=v.seed, width=v.width,
                         height=v.height, quality_score=v.quality_score, engine=backend.name,
                         layout_kept=kept[index])
            for index, (v, (image, thumb)) in enumerate(zip(result.variations, names["results"], strict=True))
        )
        # Still below the threshold after the pipeline's retry: delivered marked, and its image given back.
        billing.layout_refund(design=design, variations=[i for i, ok in enumerate(kept) if ok is False])
        design.refresh_from_db()
        gpu_type = _gpu_type(backend, result.device)
        cost = billing.cost_record(design=design, attempt=attempt, gpu_seconds=result.gpu_seconds, gpu_type=gpu_type,
                                   backend=backend.name, worker=worker_name())
        design.metadata = {**design.metadata, **_metadata(design, result, backend.name, cost, gpu_type)}
        design.save(update_fields=["metadata"])
        metrics.design_finished(design, engine=backend.name)
        metrics.stages_timed(result.timings)
        engines.attempt_completed(design, attempt)
        delivery_record(design, "completed")
        transaction.on_commit(lambda: publish_state(design, event_type="completed"))


def worker_name() -> str:
    """This worker process, as staff see it on a design's attempts: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _gpu_type(backend, device: str | None = None) -> str:
    """The name GPU_PRICES_USD_PER_SECOND prices the attempt's device by."""
    if getattr(backend, "gpu_type", None):  # an engine that names its hardware (replicate) is priced by it
        return backend.gpu_type
    if backend.name == "modal":
        return settings.MODAL_GPU_TYPE
    if backend.name == "http":  # the servers' GPU; a server run on a CPU (development) says so in its result
        return "cpu" if (device or "").startswith("cpu") else settings.GPU_HTTP_GPU_TYPE
    if device is None:  # an attempt without a result does not say where it ran: where the backend would run it
        from gpu.loading import default_device

        device = str(getattr(backend, "device", None) or default_device())
    return "cpu" if device.startswith("cpu") else settings.LOCAL_GPU_TYPE


def _store_files(design: Design, attempt: int, result: RestyleResult) -> dict:
    prefix = design.storage_prefix
    results = [
        (file_save(f"{prefix}/result-{i + 1}-a{attempt}.{_extension(v.image)}", v.image),
         file_save(f"{prefix}/thumb-{i + 1}-a{attempt}.jpg", v.thumbnail))
        for i, v in enumerate(result.variations)
    ]
    maps = {kind: file_save(f"{prefix}/{kind}-a{attempt}.png", data) for kind, data in result.maps.items()}
    return {"results": results, "maps": maps}


def _extension(image: bytes) -> str:
    """An edit comes back as PNG (pixel-exact outside its mask), the rest as JPEG."""
    return "png" if image.startswith(b"\x89PNG") else "jpg"


def _discard(names: dict) -> None:
    for image, thumb in names["results"]:
        file_delete(image)
        file_delete(thumb)
    for name in names["maps"].values():
        file_delete(name)


def _metadata(design: Design, result: RestyleResult, backend_name: str, cost: float, gpu_type: str) -> dict:
    return {
        "processing_time": round((design.finished_at - design.started_at).total_seconds(), 3),
        "timings": {stage: round(seconds, 4) for stage, seconds in result.timings.items()},
        "detected_room_type": result.detected_room_type,
        # `id`: what object choices name (designs/objects.py), stable for the design's life.
        "furniture": [{"id": i, "label": d.label, "box": [round(x, 1) for x in d.box],
                       "confidence": round(d.confidence, 3)} for i, d in enumerate(result.furniture)],
        "quality": result.quality,
        "gpu_seconds": round(result.gpu_seconds, 3),
        "gpu_type": gpu_type,
        "cost_usd": cost,
        "backend": backend_name,
        "mode": "quick" if design.options.quick else "standard",
        "device": result.device,
        "models": result.models,
        "attempts": design.attempts,
    }


def _retry_or_fail(design: Design, attempt: int, code: str, message: str, *, transient: bool,
                   engine: str | None = None) -> None:
    jobs.job_retry_or_fail(DESIGN_JOB, design, attempt, code, message, transient=transient, engine=engine)


def design_requeue(design_id, attempt: int, *, delay_ms: int | None = None) -> bool:
    """Give back the design we hold (`attempt`) to the queue and send its message again, after a backoff
    unless `delay_ms` says otherwise."""
    return jobs.job_requeue(DESIGN_JOB, design_id, attempt, delay_ms=delay_ms)


def design_resend(design_id, *, delay_ms: int = 1000) -> bool:
    """Send the message of a design that is still queued again: nobody holds it (a lost message, a staff
    retry, a message taken by a stopping worker)."""
    return jobs.job_resend(DESIGN_JOB, design_id, delay_ms=delay_ms)


def design_hand_back(design_id, attempt: int) -> bool:
    """Our worker is stopping (a deploy, a scale-down): give the design back to the queue now.

    Dramatiq raises Shutdown in the thread (ShutdownNotifications, process_design's notify_shutdown) as soon as
    the process is asked to stop. Waiting for the design to finish could take minutes, past any shutdown
    timeout, and a killed worker's design waited for its lease to run out before anyone took it again. Handed
    back, another worker claims it at once as the next attempt; this attempt's GPU time is charged like any
    attempt that ended without a result, and the quota stays reserved once.
    """
    _stopping_threads.add(threading.get_ident())  # perhaps before the middleware hears of the shutdown
    try:
        handed_back = design_requeue(design_id, attempt, delay_ms=0)
    except Exception:  # the database or Redis is gone too: the lease runs out and the reaper sends it again
        log.warning("design %s: could not hand back attempt %s on shutdown", design_id, attempt, exc_info=True)
        return False
    if handed_back:
        log.warning("design %s: worker shutting down, attempt %s handed back to the queue", design_id, attempt)
    return handed_back


# Who gets a refund is decided by the caller that knows why the design ended; billing only makes it happen once.
# The worker fails a design only before it has a result (the one write that stores results also completes the
# design), so each of its failures passes refund=True: the person paid for images they did not get.


def design_fail(design_id, attempt: int, code: str, message: str, *, refund: bool, engine: str | None = None
                ) -> bool:
    """Fail the design we hold (`attempt` is our claim), giving its quota back if `refund`.
    `engine`: the one the failing attempt ran on, when the caller knows (metrics; else the last one charged)."""
    return jobs.job_fail(DESIGN_JOB, design_id, attempt, code, message, refund=refund, engine=engine)


def design_abort(design_id, code: str, message: str, *, refund: bool) -> bool:
    """Fail an unfinished design whoever holds it, queued or running (the reaper, past its deadline)."""
    return jobs.job_abort(DESIGN_JOB, design_id, code, message, refund=refund)


def _failed(design_id, code: str, *, refund: bool, engine: str | None) -> None:
    """In the transaction that failed the design: its refund if the caller decided so, metrics, webhook, watchers."""
    design = Design.objects.get(pk=design_id)
    if refund:
        billing.quota_refund(design=design, reason=code)
    metrics.design_finished(design, engine=engine)
    delivery_record(design, "failed")
    transaction.on_commit(lambda: publish_state(design, event_type="failed"))
    transaction.on_commit(lambda: project_design_ended(design_id))


def designs_reap() -> dict[str, int]:
    """Nothing stays stuck: fail designs past their deadline, take back silent workers' claims,
    and send again the messages of designs that waited too long (a Redis restart can lose them)."""
    return jobs.jobs_reap(DESIGN_JOB)


DESIGN_JOB = jobs.JobKind(
    model=Design, noun="design", log=log, queued=Status.QUEUED, running=RUNNING, failed=Status.FAILED,
    finished=(Status.COMPLETED, Status.FAILED, Status.CANCELLED),
    claimed={"status": Status.ANALYZING, "stage": Status.ANALYZING},  # a design's claim starts its first stage
    send=lambda *args, **kwargs: design_send(*args, **kwargs), failed_end=_failed,
    picked_up=lambda **kwargs: metrics.design_picked_up(**kwargs),
    # Staff retries count DESIGN_MAX_ATTEMPTS afresh; `attempts` keeps counting so every attempt keeps its charge.
    retry_base="attempts_before_retry",
)
