"""The pipeline as a stream of wire messages (gpu/wire.py), for every process that serves it to a worker:
the Modal app (gpu/modal_app.py) and the self-hosted server (gpu/serve.py)."""
from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

from gpu import wire
from gpu.errors import InvalidRequest, RestyleError
from gpu.types import RestyleRequest, UpscaleRequest

log = logging.getLogger(__name__)


def restyle_stream(request: dict[str, Any], models: Any, *, call_id: str | None) -> Iterator[dict[str, Any]]:
    """The call id first, so the worker can cancel; then the pipeline's events.

    Errors the pipeline expects come back as an "error" message rather than a
    pickled exception, so the worker re-raises the same class whatever
    versions the two sides run.
    """
    from gpu import pipeline  # imports torch: only where the pipeline runs, not where this module is imported

    yield wire.started(call_id)
    try:
        for event in pipeline.run(parse_request(request), models):
            yield wire.event_to_dict(event)
    except RestyleError as exc:
        yield wire.error_to_dict(exc)


def parse_request(data: dict[str, Any]) -> RestyleRequest:
    """A worker newer than this app may send options it does not know yet: they are ignored, not fatal."""
    known = {field.name for field in dataclasses.fields(RestyleRequest)}
    if unknown := sorted(set(data) - known):
        log.warning("ignoring request fields this app does not know: %s", ", ".join(unknown))
    try:
        return RestyleRequest.from_dict({key: value for key, value in data.items() if key in known})
    except (TypeError, ValueError) as exc:
        log.error("unreadable request: %s", exc)
        raise InvalidRequest("The request could not be read.") from exc


def upscale_stream(request: dict[str, Any], upscaler: Any, *, call_id: str | None) -> Iterator[dict[str, Any]]:
    """As restyle_stream, for a result enlarged to print size (gpu/upscale.py)."""
    from gpu import upscale

    yield wire.started(call_id)
    try:
        for event in upscale.run(parse_upscale_request(request), upscaler):
            yield wire.event_to_dict(event)
    except RestyleError as exc:
        yield wire.error_to_dict(exc)


def parse_upscale_request(data: dict[str, Any]) -> UpscaleRequest:
    known = {field.name for field in dataclasses.fields(UpscaleRequest)}
    try:
        return UpscaleRequest.from_dict({key: value for key, value in data.items() if key in known})
    except (TypeError, ValueError) as exc:
        log.error("unreadable upscale request: %s", exc)
        raise InvalidRequest("The request could not be read.") from exc
