"""The GPU engines' part of /ready/ (core/health.py): their breakers, and not ready only when every one is open.
Registered in DesignsConfig.ready(), so the readiness machinery in core imports no app."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def engines_health() -> dict[str, dict]:
    """Each GPU engine's breaker (designs/engines.py); empty when Redis cannot say, which the redis check reports."""
    from designs.engines import breaker_states

    try:
        states = breaker_states()
    except Exception:
        log.warning("readiness: GPU engine breakers unreadable", exc_info=True)
        return {}
    return {s.engine: {"state": s.state, "ready": s.ready, "failures_in_a_row": s.failures} for s in states}


def check_gpu_engines(engines: dict[str, dict]) -> None:
    """Judges engines_health()'s report (registered with reads="engines"), so /ready/ reads the breakers once."""
    # Not ready only when no engine would take a design: one engine down while another serves is failover
    # doing its job, not a reason to take the web out of rotation.
    if engines and not any(engine["ready"] for engine in engines.values()):
        raise RuntimeError("every GPU engine's breaker is open")
