"""What happens to designs, counted where it happens: mostly in the worker, exported on its own port.

Counters and histograms, not rows read back: Prometheus' rate() and histogram_quantile() need them, and a
design counts once, when it ends, however long it is kept. Each is recorded after the transaction that made
the change commits (a rolled-back finish counts nothing) and never raises into the code it observes.

Where they are served: a worker process writes them to PROMETHEUS_MULTIPROC_DIR and its exposition server
(config/worker_metrics.py) adds up every process; a web process does the same for the few it records (cancels)
and serves them at /metrics (config/metrics.py). Sum a name over both jobs. GPU time and refused submits are
billing's counters (billing/metrics.py): billing records them without importing designs.
"""
from __future__ import annotations

from django.utils import timezone
from prometheus_client import Counter, Histogram

from billing.metrics import GPU_COST, GPU_SECONDS, NO_ENGINE  # billing counts the GPU; its labels zeroed here too
from core.metrics import record_after_commit

# Seconds: a tiny CPU design takes a few, a real one 10–60 on a GPU, a stuck one up to the deadline.
_DURATION_BUCKETS = (1, 2.5, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900)
_WAIT_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
_STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80)

DESIGNS_FINISHED = Counter(
    "restyle_designs_finished", "Designs that ended, by final status and the engine their last attempt ran on.",
    ["status", "engine"],
)
PROCESSING_SECONDS = Histogram(
    "restyle_design_processing_seconds",
    "From a design's first pick-up by a worker to its end (retries included), by final status and engine.",
    ["status", "engine"], buckets=_DURATION_BUCKETS,
)
QUEUE_WAIT_SECONDS = Histogram(
    "restyle_design_queue_wait_seconds",
    "From a design's (re)queueing to a worker picking it up, by queue.", ["queue"], buckets=_WAIT_BUCKETS,
)
STAGE_SECONDS = Histogram(
    "restyle_design_stage_seconds", "Seconds per pipeline stage of completed designs, as the engine timed them.",
    ["stage"], buckets=_STAGE_BUCKETS,
)


def labels_initialize(*, engines) -> None:
    """Zero samples for the labels a worker will use, so rates and ratios exist before the first failure."""
    from designs.models import FINISHED
    from designs.queues import GPU_QUEUES

    for engine in engines:
        for status in FINISHED:
            DESIGNS_FINISHED.labels(status, engine)
        GPU_SECONDS.labels(engine)
        GPU_COST.labels(engine)
    for queue in GPU_QUEUES:
        QUEUE_WAIT_SECONDS.labels(queue)


def design_finished(design, *, engine: str | None = None) -> None:
    """Call in the transaction that ended the design (its status already final). `engine` when the caller knows
    which one ran the attempt; otherwise the engine of the design's last charged attempt, or "none"."""
    status = design.status
    engine = engine or _last_engine(design) or NO_ENGINE
    started, finished = design.started_at, design.finished_at or timezone.now()

    def record() -> None:
        DESIGNS_FINISHED.labels(status, engine).inc()
        if started is not None:
            PROCESSING_SECONDS.labels(status, engine).observe(max(0.0, (finished - started).total_seconds()))

    record_after_commit(record)


def _last_engine(design) -> str:
    from billing.models import GpuCharge

    return GpuCharge.objects.filter(design=design).order_by("-attempt").values_list("backend", flat=True).first() or ""


def design_picked_up(*, queued_at, priority: int) -> None:
    """A worker claimed the design: how long it waited in its queue."""
    from designs.queues import queue_for

    if queued_at is not None:
        wait = max(0.0, (timezone.now() - queued_at).total_seconds())
        record_after_commit(lambda: QUEUE_WAIT_SECONDS.labels(queue_for(priority)).observe(wait))


def stages_timed(timings: dict) -> None:
    def record() -> None:
        for stage, seconds in timings.items():
            if isinstance(seconds, (int, float)):
                STAGE_SECONDS.labels(stage).observe(seconds)

    record_after_commit(record)
