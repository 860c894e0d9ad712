"""What billing counts where it happens: GPU time and dollars charged, and designs refused at submit.

Billing's own counters, so that billing never imports designs' metrics (which import the designs' queues and,
through them, the worker that calls billing back). designs/metrics.py zeroes their labels with its own at a
worker's start. The samples are served like the designs' counters (config/metrics.py, config/worker_metrics.py).
"""
from __future__ import annotations

from prometheus_client import Counter

from core.metrics import record_after_commit

NO_ENGINE = "none"  # the engine label of work that ran on no engine (a design that ended before any attempt)

GPU_SECONDS = Counter("restyle_gpu_seconds", "GPU seconds charged, by engine.", ["engine"])
GPU_COST = Counter("restyle_gpu_cost_usd", "GPU dollars charged, by engine.", ["engine"])
SUBMIT_DENIALS = Counter(
    "restyle_submit_denials",
    "Designs refused at submit, by error code (rate_limited, quota_exceeded, capacity_exceeded, "
    "budget_exhausted) and the requester's plan.",
    ["code", "plan"],
)


def gpu_charged(*, engine: str, seconds: float, cost: float) -> None:
    """Dollars and seconds newly charged (the difference, when an attempt's charge is replaced)."""
    engine = engine or NO_ENGINE

    def record() -> None:
        GPU_SECONDS.labels(engine).inc(max(0.0, seconds))
        GPU_COST.labels(engine).inc(max(0.0, cost))

    record_after_commit(record)


def submit_denied(*, code: str, plan: str) -> None:
    """Not tied to a transaction: the refusal happened whatever is rolled back after it."""
    SUBMIT_DENIALS.labels(code, plan or "unknown").inc()
