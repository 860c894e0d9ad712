"""OpenAPI components every API view shares: the error shape, declared once so generated clients can parse it."""
from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: `quota_exceeded`, `not_found`, ...")
    message = serializers.CharField(help_text="A sentence for people.")
    field = serializers.CharField(allow_null=True, help_text="The request field at fault, if one is.")


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
