"""A fake of the Modal SDK's edge for drills, installed in a real worker process.

The drill starts the worker with this module on Dramatiq's command line, after the actors, so that
importing it replaces `modal.Cls.from_name` and `modal.FunctionCall.from_id` in each worker process.
Everything from gpu.backends.modal inwards runs as in production: only Modal's network is fake.

Scripted through the environment, so a drill can say what the remote side does on each call:

    DRILL_MODAL_SCRIPT   comma-separated behaviour of the 1st, 2nd, ... remote call; the last repeats.
                           ok           a design: a started message, DRILL_MODAL_EVENTS progress events
                                        DRILL_MODAL_EVENT_S apart, then the result
                           cold         as ok, after a silent wait of DRILL_MODAL_COLD_S (a cold start)
                           timeout      started, one event, then modal.exception.FunctionTimeoutError
                           unavailable  modal.exception.ConnectionError before anything arrives
                           crash        started, then modal.exception.RemoteError (the container died)
                           notfound     modal.exception.NotFoundError at lookup (the app is not deployed)
    DRILL_MODAL_CALLS    a file that gets one line per call and per cancel: the drill counts them, across
                         worker restarts.
"""
from __future__ import annotations

import fcntl
import io
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import modal
import modal.exception as modal_errors
from PIL import Image

STAGES = ("analyzing", "detecting", "generating", "transforming", "finalizing")


def _log_path() -> Path:
    return Path(os.environ["DRILL_MODAL_CALLS"])


def _record(line: str) -> int:
    """Append a line and return how many 'call' lines there were before it (the call's index)."""
    with open(_log_path(), "a+") as log:
        fcntl.flock(log, fcntl.LOCK_EX)  # two worker processes may call at once
        log.seek(0)
        calls = sum(1 for existing in log if existing.startswith("call"))
        log.write(f"{line}\n")
        return calls


def _behaviour(index: int) -> str:
    script = [step.strip() for step in os.environ.get("DRILL_MODAL_SCRIPT", "ok").split(",") if step.strip()]
    return script[min(index, len(script) - 1)]


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 160, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


def _event(stage: str, progress: float, message: str, result: dict | None = None) -> dict[str, Any]:
    return {"type": "event", "stage": stage, "progress": progress, "message": message, "preview": None,
            "result": result}


def _result(payload: dict) -> dict[str, Any]:
    width, height = 96, 64
    variations = [
        {"image": _jpeg(width, height), "thumbnail": _jpeg(48, 32), "seed": 1000 + i, "width": width,
         "height": height, "quality_score": 0.9}
        for i in range(payload.get("variations", 1))
    ]
    return {"variations": variations, "maps": {"depth": _jpeg(width, height)}, "timings": {"transforming": 1.0},
            "furniture": [], "detected_room_type": "living_room", "quality": {"retried": False},
            "models": {"fake": "drills.modal_edge"}, "device": "cuda:0", "gpu_seconds": 1.5}


def _design(payload: dict, call_id: str, *, cold_s: float = 0.0) -> Iterator[dict[str, Any]]:
    if cold_s:
        time.sleep(cold_s)  # queued for a GPU, then a container starting: nothing arrives meanwhile
    yield {"type": "started", "call_id": call_id}
    count = int(os.environ.get("DRILL_MODAL_EVENTS", "12"))
    pause = float(os.environ.get("DRILL_MODAL_EVENT_S", "0.25"))
    for i in range(count):
        # A stage each for the first three events, then denoising most of the time, as the real pipeline.
        stage = STAGES[min(i, 3)] if i < count - 1 else "finalizing"
        yield _event(stage, i / count, f"Step {i + 1}...")
        time.sleep(pause)
    yield _event("completed", 1.0, "Your design is ready.", _result(payload))


def _stream(behaviour: str, payload: dict, call_id: str) -> Iterator[dict[str, Any]]:
    if behaviour == "ok":
        yield from _design(payload, call_id)
    elif behaviour == "cold":
        yield from _design(payload, call_id, cold_s=float(os.environ.get("DRILL_MODAL_COLD_S", "5")))
    elif behaviour == "timeout":
        yield {"type": "started", "call_id": call_id}
        yield _event("analyzing", 0.0, "Reading your photo...")
        raise modal_errors.FunctionTimeoutError("Function call timed out")
    elif behaviour == "unavailable":
        raise modal_errors.ConnectionError("could not connect to api.modal.com")
    elif behaviour == "crash":
        yield {"type": "started", "call_id": call_id}
        raise modal_errors.RemoteError("container exited with code 137")
    else:
        raise ValueError(f"unknown DRILL_MODAL_SCRIPT step {behaviour!r}")


class _Method:
    def remote_gen(self, payload: dict) -> Iterator[dict[str, Any]]:
        index = _record(f"call pid={os.getpid()}")
        behaviour = _behaviour(index)
        if behaviour == "notfound":
            raise modal_errors.NotFoundError("App 'restyle' not found in environment 'main'")
        return _stream(behaviour, payload, f"fc-drill-{index}")


class _Instance:
    restyle = _Method()


class _Call:
    def __init__(self, call_id: str) -> None:
        self.call_id = call_id

    def cancel(self, terminate_containers: bool = False) -> None:
        _record(f"cancel {self.call_id}")


def _from_name(app_name: str, class_name: str, *, environment_name: str | None = None, **_kwargs):
    return _Instance


def _from_id(call_id: str, *_args, **_kwargs) -> _Call:
    return _Call(call_id)


modal.Cls.from_name = _from_name
modal.FunctionCall.from_id = _from_id
