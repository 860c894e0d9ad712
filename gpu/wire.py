"""What travels between the worker and the Modal app: plain dicts of bytes, str, numbers and lists.

Plain dicts rather than pickled dataclasses, so the deployed app and the
worker may run different versions of this package during a rollout: unknown
keys are ignored and missing optional ones take their defaults.

Three kinds of message, told apart by "type":
- "started": the remote call's id, first, so the worker can cancel it;
- "event": one gpu.types.Event;
- "error": a RestyleError raised remotely, re-raised as the same class here.

Over HTTP (gpu/serve.py and gpu/backends/http.py) the same dicts travel as JSON, `dumps`/`loads`, where
bytes become {"$bytes": "<base64>"}: one format, two transports.
"""
from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

from gpu import errors
from gpu.errors import GenerationFailed, RestyleError
from gpu.types import Detection, Event, RestyleResult, UpscaleResult, Variation

STARTED, EVENT, ERROR = "started", "event", "error"

# code -> class for every error in gpu.errors (a new one there is picked up by itself). Subclasses defined
# elsewhere, like gpu.colors.InvalidPreference, share their base's code and come back as the base class.
ERRORS: dict[str, type[RestyleError]] = {
    cls.code: cls for cls in vars(errors).values() if isinstance(cls, type) and issubclass(cls, RestyleError)
}


def started(call_id: str | None) -> dict[str, Any]:
    return {"type": STARTED, "call_id": call_id}


def event_to_dict(event: Event) -> dict[str, Any]:
    return {"type": EVENT, **dataclasses.asdict(event)}


def event_from_dict(data: dict[str, Any]) -> Event:
    fields = _known(Event, data)
    if fields.get("result") is not None:
        fields["result"] = result_from_dict(fields["result"])
    if fields.get("upscaled") is not None:
        fields["upscaled"] = UpscaleResult(**_known(UpscaleResult, fields["upscaled"]))
    return Event(**fields)


def result_from_dict(data: dict[str, Any]) -> RestyleResult:
    fields = _known(RestyleResult, data)
    fields["variations"] = [Variation(**_known(Variation, v)) for v in fields.get("variations", [])]
    fields["furniture"] = [_detection(d) for d in fields.get("furniture", [])]
    return RestyleResult(**fields)


def error_to_dict(exc: RestyleError) -> dict[str, Any]:
    return {"type": ERROR, "code": exc.code, "message": exc.message}


def error_from_dict(data: dict[str, Any]) -> RestyleError:
    """The same error class the remote side raised; an unknown code (a newer app) is a plain generation failure."""
    cls = ERRORS.get(data.get("code", ""), GenerationFailed)
    return cls(str(data.get("message") or "The design could not be generated."))


def _detection(data: dict[str, Any]) -> Detection:
    fields = _known(Detection, data)
    fields["box"] = tuple(fields["box"])  # lists after a trip through some serializers
    return Detection(**fields)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {field.name for field in dataclasses.fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def dumps(message: dict[str, Any]) -> bytes:
    """A request or message as JSON, for the HTTP transport."""
    return json.dumps(message, default=_bytes_to_json, separators=(",", ":")).encode()


def loads(data: bytes | str) -> Any:
    """The inverse of dumps; raises ValueError on anything that is not such JSON."""
    return json.loads(data, object_hook=_bytes_from_json)


def _bytes_to_json(value: Any) -> dict[str, str]:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"{type(value).__name__} does not travel over the wire")


def _bytes_from_json(data: dict[str, Any]) -> Any:
    if len(data) == 1 and "$bytes" in data:
        try:
            return base64.b64decode(data["$bytes"], validate=True)
        except (TypeError, ValueError) as exc:
            raise ValueError("bad base64 in a $bytes value") from exc
    return data
