"""OpenAPI components every API view shares: the error shape, declared once so generated clients can parse it."""
from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: `quota_exceeded`, `not_found`, ...")
    message = serializers.CharField(help_text="A sentence for people.")
    field = serializers.CharField(allow_null=True, help_text="The request field at fault, if one is.")


@extend_schema_serializer(examples=[OpenApiExample("quota", response_only=True, status_codes=["429"], value={
    "error": {"code": "quota_exceeded", "message": "You have used today's 5 designs.", "field": None}}),
    OpenApiExample("invalid input", response_only=True, status_codes=["400"], value={
        "error": {"code": "invalid_choice", "message": '"baroque" is not a valid choice.', "field": "style"}})])
class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_MEANINGS = {
    400: "Invalid input; `field` names the part at fault.",
    401: "No valid token or session.",
    403: "Not allowed.",
    404: "No such object, or not yours.",
    409: "The object is not in a state that allows this.",
    413: "The upload is too large.",
    415: "The upload is not an image we accept.",
    429: "Quota or rate limit reached; see `Retry-After`.",
    500: "Something went wrong on our side (nothing internal is shown).",
    503: "GPU capacity or the day's GPU budget is exhausted.",
}


def error_responses(*statuses: int, serializer=ErrorSerializer) -> dict[int, OpenApiResponse]:
    """`responses=` entries for the given error statuses, each with the shared error component."""
    return {code: OpenApiResponse(serializer, description=ERROR_MEANINGS[code]) for code in statuses}


class BodyOnDeleteSchema(AutoSchema):
    """Documents a DELETE's request body (DELETE /api/v1/me/ takes the password), which drf-spectacular leaves
    out for every method but PUT, PATCH and POST."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


# Statuses every operation can answer: a bad token (401), a session request without its CSRF token (403), an
# unexpected error (500). Operations add 400 when they take input and 404 when their path names an object.
ALWAYS = (401, 403, 500)
HEADERS = {
    "202": {"Location": {"description": "The URL of what was accepted (for a design: poll it for the state).",
                         "schema": {"type": "string", "format": "uri"}, "required": True}},
    "429": {"Retry-After": {"description": "Seconds to wait before trying again.",
                            "schema": {"type": "integer"}}},
}


def declare_errors(result, generator, request, public):
    """Postprocessing hook: every 4xx/5xx an operation can answer, declared with its error component (the
    first client's routes have their own), `Location` on every 202, `Retry-After` on every 429, and one
    request body type per operation."""
    for path, operations in result.get("paths", {}).items():
        component = "TransformError" if path.startswith("/transform/") else "Error"
        for operation in operations.values():
            _json_only(operation)
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(path, operation):
                responses.setdefault(str(status), {
                    "description": ERROR_MEANINGS[status],
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
                })
            for status, headers in HEADERS.items():
                if status in responses:
                    responses[status].setdefault("headers", {}).update(headers)
    return result


def _json_only(operation: dict) -> None:
    """A JSON endpoint also parses forms (the browsable tests post them), but documents JSON alone: one body type
    per operation is what generated clients handle (openapi-python-client breaks on three of the same schema)."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        operation["requestBody"]["content"] = {"application/json": content["application/json"]}


def _error_statuses(path: str, operation: dict) -> list[int]:
    statuses = list(ALWAYS)
    parameters = operation.get("parameters", [])
    if "requestBody" in operation or any(p["in"] in ("query", "header") for p in parameters):
        statuses.append(400)
    if re.search(r"{[^}]+}", path):
        statuses.append(404)
    return statuses
