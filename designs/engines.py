"""Which GPU engine runs a design's attempt: an ordered failover list and a circuit breaker per engine.

The order is the plan's (`Plan.gpu_engines`) or the deployment's (`GPU_ENGINES`, else `GPU_BACKEND` alone). An
attempt starts where the design's previous attempt ran; after an engine fault (a timeout, the engine unreachable
or broken) it starts at the next engine, and engines whose breaker is open are skipped. Every attempt is recorded
as a DesignAttempt before the design is requeued, so the next claim, on any worker, sees where to go.

The breakers live in Redis, one hash per engine, shared by every worker and changed only by Lua scripts, so
concurrent workers cannot lose a failure or let two trial designs through a half-open breaker:

    closed ──N faults in a row──▶ open ──cool-down──▶ half_open (one trial design) ──success──▶ closed
                                   ▲                        │ fault
                                   └────────────────────────┘
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.cache import cache as django_cache
from django.utils import timezone

from billing.models import Plan, UsageEntry
from designs.models import Design, DesignAttempt
from gpu.errors import BackendUnavailable, RestyleError

log = logging.getLogger(__name__)

# Errors that say the engine failed, not the request: they count against its breaker and move the design on.
# A bad photo or a cancel says nothing about the engine and counts neither way.
ENGINE_FAULTS = frozenset({"backend_timeout", "backend_unavailable", "model_unavailable", "generation_failed",
                           "internal_error", "restyle_failed"})
STATES = ("closed", "half_open", "open")  # the gauge's values in /metrics, in this order


class NoEngineAvailable(BackendUnavailable):
    code = "engines_unavailable"


class ModeUnsupported(RestyleError):
    code = "mode_unavailable"  # permanent: no engine in the order can run this kind of design


# --- the order ----------------------------------------------------------------------------------------------


def engines_configured() -> list[str]:
    return list(settings.GPU_ENGINES) or [settings.GPU_BACKEND]


# Replicate runs a hosted model that restyles a whole photo from a named style: the other modes (declutter, stage,
# edit), a style reference photo and object-by-object choices need our pipeline's masks, adapter and checks, so
# their designs skip it (an edit or a kept object must come back untouched; a reference must not be ignored).
RESTYLE_ONLY_ENGINES = ("replicate",)


def plain_restyle(design: Design) -> bool:
    return design.mode == "restyle" and not design.reference and not design.options.objects


def engines_for(design: Design) -> list[str]:
    """The design's failover order: its plan's when the plan sets one, else the deployment's; for anything but a
    plain restyle, without the engines that only do that (or all of them, when nothing else is configured)."""
    code = UsageEntry.objects.filter(design=design, kind=UsageEntry.Kind.RESERVE).values_list(
        "plan_code", flat=True).first()
    own = Plan.objects.filter(code=code).values_list("gpu_engines", flat=True).first() if code else None
    order = [name.strip() for name in (own or "").split(",") if name.strip()] or engines_configured()
    if not plain_restyle(design):
        order = [name for name in order if name not in RESTYLE_ONLY_ENGINES]
        if not order:
            raise ModeUnsupported("This kind of design is not available right now; a plain restyle is.")
    return order


def engine_pick(design: Design, attempt: int) -> str:
    """The engine for this attempt: where the last one ran, or the next after a fault; open breakers skipped."""
    order = engines_for(design)
    last = DesignAttempt.objects.filter(design=design, attempt__lt=attempt).exclude(engine="").order_by(
        "-attempt").first()
    start = 0
    if last is not None and last.engine in order:
        start = order.index(last.engine) + (1 if last.engine_fault else 0)
    for name in order[start:] + order[:start]:
        if breaker_allow(name):
            return name
    raise NoEngineAvailable("No GPU engine is available right now. Please try again in a few minutes.")


def engine_backend(name: str):
    from gpu.backends import get_backend

    if name == "local":
        return get_backend("local", profile=settings.MODEL_PROFILE)
    if name == "modal":
        return get_backend("modal", app_name=settings.MODAL_APP_NAME)
    if name == "replicate":
        return get_backend("replicate", version=settings.REPLICATE_MODEL_VERSION,
                           api_token=settings.REPLICATE_API_TOKEN, base_url=settings.REPLICATE_BASE_URL,
                           extra_input=json.loads(settings.REPLICATE_INPUT or "{}"),
                           input_names=json.loads(settings.REPLICATE_INPUT_NAMES or "{}"),
                           send_request=settings.REPLICATE_SEND_REQUEST,
                           gpu_type=settings.REPLICATE_GPU_TYPE, timeout=settings.REPLICATE_TIMEOUT_SECONDS,
                           poll_interval=settings.REPLICATE_POLL_SECONDS)
    if name == "http":
        return get_backend(
            "http", urls=settings.GPU_HTTP_URLS, token=settings.GPU_HTTP_TOKEN,
            timeout=settings.GPU_HTTP_TIMEOUT_SECONDS, connect_timeout=settings.GPU_HTTP_CONNECT_TIMEOUT_SECONDS,
            read_timeout=settings.GPU_HTTP_READ_TIMEOUT_SECONDS, busy_wait=settings.GPU_HTTP_BUSY_WAIT_SECONDS,
        )
    return get_backend(name)


# --- what each attempt used -----------------------------------------------------------------------------------


def attempt_begin(design: Design, attempt: int, engine: str) -> None:
    DesignAttempt.objects.update_or_create(design=design, attempt=attempt,
                                           defaults={"engine": engine, "started_at": timezone.now()})


def attempt_completed(design: Design, attempt: int) -> None:
    """In the transaction that stores the results: whoever sees the design completed sees where it ran."""
    DesignAttempt.objects.filter(design=design, attempt=attempt).update(outcome="completed", ended_at=timezone.now())


def attempt_end(design: Design, attempt: int, engine: str, outcome: str) -> None:
    """Record how the attempt ended and tell the engine's breaker. Never raises: the design's fate matters more."""
    fault = outcome in ENGINE_FAULTS
    try:
        DesignAttempt.objects.filter(design=design, attempt=attempt).update(
            outcome=outcome[:40], engine_fault=fault, ended_at=timezone.now())
    except Exception:
        log.warning("design %s: could not record how attempt %s ended", design.pk, attempt, exc_info=True)
    if not engine:
        return
    try:
        if outcome == "completed":
            breaker_success(engine)
        elif fault:
            state = breaker_failure(engine)
            log.warning("engine %s: %s on design %s (breaker %s)", engine, outcome, design.pk, state)
    except Exception:
        log.warning("engine %s: could not update its breaker", engine, exc_info=True)


# --- the breakers ----------------------------------------------------------------------------------------------

# KEYS[1]: the engine's hash. ARGV: operation, failures to open, cool-down seconds. Redis's clock, not the
# workers': every worker sees the same cool-down.
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local op, threshold, cooldown = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if op == 'allow' then
  if state == 'closed' then return {state, 1} end
  local since = tonumber(redis.call('HGET', KEYS[1], state == 'open' and 'opened_at' or 'trial_at') or 0)
  if now - since < cooldown then return {state, 0} end
  -- open past its cool-down, or a trial that never reported back: let exactly one caller try
  redis.call('HSET', KEYS[1], 'state', 'half_open', 'trial_at', tostring(now))
  return {'half_open', 1}
elseif op == 'failure' then
  local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
  if state == 'half_open' or (state == 'closed' and failures >= threshold) then
    redis.call('HSET', KEYS[1], 'state', 'open', 'opened_at', tostring(now))
    redis.call('HINCRBY', KEYS[1], 'opened', 1)
    return {'open', 1}
  end
  return {state, 0}
elseif op == 'success' then
  redis.call('HSET', KEYS[1], 'state', 'closed', 'failures', 0)
  return {'closed', 1}
end
return {state, 0}
"""


def _key(engine: str) -> str:
    return f"restyle:engine-breaker:{engine}"


def _redis():
    """The cache's Redis client: every worker and web process of the deployment shares it."""
    return django_cache._cache.get_client(None, write=True)


@cache
def _script(client):
    return client.register_script(_SCRIPT)


def _run(engine: str, op: str, client=None) -> tuple[str, bool]:
    client = client or _redis()
    state, changed = _script(client)(keys=[_key(engine)], args=[
        op, settings.ENGINE_BREAKER_FAILURES, settings.ENGINE_BREAKER_COOLDOWN_SECONDS])
    return (state.decode() if isinstance(state, bytes) else state), bool(changed)


def breaker_allow(engine: str, *, client=None) -> bool:
    """May an attempt go to this engine now? Past the cool-down, True for exactly one caller (the trial)."""
    try:
        return _run(engine, "allow", client)[1]
    except Exception:  # Redis unreachable: run rather than stop every design over the breaker itself
        log.warning("engine %s: breaker unreadable, allowing the attempt", engine, exc_info=True)
        return True


def breaker_failure(engine: str, *, client=None) -> str:
    return _run(engine, "failure", client)[0]


def breaker_success(engine: str, *, client=None) -> str:
    return _run(engine, "success", client)[0]


@dataclass(frozen=True)
class BreakerState:
    engine: str
    state: str  # closed | half_open | open
    failures: int  # in a row
    opened: int  # times it opened, ever
    ready: bool  # would take an attempt now (closed, or open past its cool-down)


def breaker_states(engines: list[str] | None = None, *, client=None) -> list[BreakerState]:
    """Read-only: for /ready/, /metrics and the admin. Does not start a trial."""
    client = client or _redis()
    now = _redis_now(client)
    states = []
    for engine in engines or engines_configured():
        raw = {k.decode(): v.decode() for k, v in client.hgetall(_key(engine)).items()}
        state = raw.get("state", "closed")
        since = float(raw.get("opened_at" if state == "open" else "trial_at", 0) or 0)
        ready = state == "closed" or now - since >= settings.ENGINE_BREAKER_COOLDOWN_SECONDS
        states.append(BreakerState(engine, state, int(raw.get("failures", 0)), int(raw.get("opened", 0)), ready))
    return states


def _redis_now(client) -> float:
    seconds, micros = client.time()
    return seconds + micros / 1_000_000


def breaker_metrics():
    """For /metrics (config/metrics.py): each configured engine's breaker, read from Redis at scrape time."""
    from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily

    state = GaugeMetricFamily("restyle_gpu_engine_breaker_state",
                              "A GPU engine's circuit breaker: 0 closed, 1 half-open (a trial running), 2 open.",
                              labels=["engine"])
    failures = GaugeMetricFamily("restyle_gpu_engine_failures_in_a_row", "A GPU engine's failures since its last "
                                 "success.", labels=["engine"])
    opened = CounterMetricFamily("restyle_gpu_engine_breaker_opened", "Times a GPU engine's breaker opened.",
                                 labels=["engine"])
    for breaker in breaker_states():
        state.add_metric([breaker.engine], STATES.index(breaker.state))
        failures.add_metric([breaker.engine], breaker.failures)
        opened.add_metric([breaker.engine], breaker.opened)
    yield from (state, failures, opened)
