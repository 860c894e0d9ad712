"""The error shape every app answers with: {"error": {"code", "message", "field"}}, and the API's handler for it."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """An error with our own code, status and optional field, raised from services or views."""

    def __init__(self, code: str, message: str, *, status_code: int = 400, field: str | None = None,
                 headers: dict[str, str] | None = None, extra: dict | None = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.field = field
        self.headers = headers or {}
        self.extra = extra or {}


def error_body(code: str, message: str, field: str | None = None, **extra) -> dict:
    return {"error": {"code": code, "message": message, "field": field, **extra}}


def exception_handler(exc, context):
    """Every /api/ error in one shape: {"error": {"code", "message", "field"}}."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django logs it and answers 500 without internals
    if isinstance(exc, ApiError):
        response.data = error_body(exc.error_code, str(exc.detail), exc.field, **exc.extra)
        for name, value in exc.headers.items():
            response[name] = value
    elif isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    else:
        code = exc.get_codes()  # DRF's own: "parse_error", "not_authenticated", "throttled"...
        response.data = error_body(code if isinstance(code, str) else "error", _first_message(exc.detail))
    return response


def _validation_body(detail) -> dict:
    field, messages = None, detail
    if isinstance(detail, dict) and detail:
        field, messages = next(iter(detail.items()))
        if field == "non_field_errors":
            field = None
    message = _first_message(messages)
    code = getattr(_first_item(messages), "code", None) or "invalid"
    return error_body(code, message, field)


def _first_item(value):
    while isinstance(value, (list, dict)) and value:
        value = value[0] if isinstance(value, list) else next(iter(value.values()))
    return value


def _first_message(value) -> str:
    return str(_first_item(value)) or "Invalid request."
