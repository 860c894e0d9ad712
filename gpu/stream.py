"""The pipeline as a stream of wire messages (gpu/wire.py), for every process that serves it to a worker:
the Modal app (gpu/modal_app.py) and the self-hosted server (gpu/serve.py)."""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from typing import Any

from gpu import wire
from gpu.errors import InvalidRequest, RestyleError
from gpu.types import RestyleRequest, UpscaleRequest

log = logging.getLogger(__name__)


def restyle_stream(request: dict[str, Any], models: Any, *, call_id: str | None) -> Iterator[dict[str, Any]]:
    """The call id first, so the worker can cancel; then the pipeline's events."""
    from gpu import pipeline  # imports torch: only where the pipeline runs, not where this module is imported

    yield from _messages(call_id, lambda: pipeline.run(parse_request(request), models))


def upscale_stream(request: dict[str, Any], upscaler: Any, *, call_id: str | None) -> Iterator[dict[str, Any]]:
    """As restyle_stream, for a result enlarged to print size (gpu/upscale.py)."""
    from gpu import upscale

    yield from _messages(call_id, lambda: upscale.run(parse_upscale_request(request), upscaler))


def _messages(call_id: str | None, run: Callable[[], Iterator[Any]]) -> Iterator[dict[str, Any]]:
    """Errors the GPU side expects come back as an "error" message rather than a pickled exception, so the
    worker re-raises the same class whatever versions the two sides run."""
    yield wire.started(call_id)
    try:
        for event in run():
            yield wire.event_to_dict(event)
    except RestyleError as exc:
        yield wire.error_to_dict(exc)


def parse_request(data: dict[str, Any]) -> RestyleRequest:
    """A worker newer than this app may send options it does not know yet: they are ignored, not fatal."""
    return _parse(RestyleRequest, data)


def parse_upscale_request(data: dict[str, Any]) -> UpscaleRequest:
    return _parse(UpscaleRequest, data)


def _parse(kind, data: dict[str, Any]):
    known = {field.name for field in dataclasses.fields(kind)}
    if unknown := sorted(set(data) - known):
        log.warning("ignoring %s fields this app does not know: %s", kind.__name__, ", ".join(unknown))
    try:
        return kind.from_dict({key: value for key, value in data.items() if key in known})
    except (TypeError, ValueError) as exc:
        log.error("unreadable %s: %s", kind.__name__, exc)
        raise InvalidRequest("The request could not be read.") from exc
