"""Errors the pipeline and backends raise. The worker decides retry or fail from `transient`."""
from __future__ import annotations


class RestyleError(Exception):
    code = "restyle_failed"
    transient = False  # True: worth retrying the same request later

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message  # shown to users: no internals


class InvalidImage(RestyleError):
    code = "invalid_image"


class NotARoom(RestyleError):
    code = "not_a_room"


class InvalidRequest(RestyleError):
    code = "invalid_request"


class ModelUnavailable(RestyleError):
    """Weights missing on an offline machine, or a model failed to load."""

    code = "model_unavailable"


class GenerationFailed(RestyleError):
    code = "generation_failed"


class BackendTimeout(RestyleError):
    code = "backend_timeout"
    transient = True


class BackendUnavailable(RestyleError):
    code = "backend_unavailable"
    transient = True


class Cancelled(RestyleError):
    code = "cancelled"
