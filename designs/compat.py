"""The first mobile client's routes, exactly as that client was written (issue 13).

`POST /transform/submit`, `GET /transform/status/<job_id>`, `DELETE /transform/<job_id>` and (in
designs/compat_ws.py) `WS /ws/transform/<job_id>`. Only the shapes are this client's: validation, quota,
storage, cancel and the design's state are v1's own services and state builder (designs/services.py,
designs/state.py). An anonymous submit makes a link design (designs/links.py): its job_id is the
capability to read, follow and cancel it. Designs of accounts stay owner-only here too.
"""
from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.requester import Requester, requester_from_request
from core.errors import ApiError, exception_handler
from designs import services
from designs.links import link_guest_key
from designs.models import FINISHED
from designs.selectors import design_get_by_job_id
from designs.serializers import PaletteField
from designs.state import design_state, estimated_time
from gpu.styles import STYLES

# Submit promises an estimate in whole seconds; before any design has finished there is no measurement yet,
# and this is a typical single-image run (tiny profile: seconds; sd15 on a GPU: tens of seconds).
NO_HISTORY_ESTIMATE_SECONDS = 30
CANCELLED_MESSAGE = "Job cancelled successfully"
FIELD_NAMES = {"image": "file"}  # v1's names for this client's form fields, in error messages
WAITING_MESSAGE = "Waiting in the queue..."  # a queued design has no message of its own yet


# --- Shapes ------------------------------------------------------------------------------------------------------


def job_status(request, design) -> dict:
    """The `data` of GET /transform/status/<job_id>, built from v1's design state."""
    state = design_state(design)
    return {
        "job_id": state["id"],
        "status": state["status"],
        "progress": float(state["progress"]),
        "estimated_time_remaining": _whole_seconds(state["estimated_time_remaining"]),
        "result": _result(request, state),
        "error": state["error"]["message"] if state["error"] else None,
    }


def _result(request, state: dict) -> dict | None:
    if state["status"] != "completed" or not state["results"]:
        return None
    first = state["results"][0]
    return {
        "transformed_url": _absolute(request, first["url"]),
        "thumbnail_url": _absolute(request, first["thumbnail_url"]),
        "original_url": _absolute(request, state["original_url"]),
        "metadata": {
            "style": state["style"],
            "processing_time": state["metadata"].get("processing_time"),
            "quality_score": first["quality_score"],
        },
    }


def job_message(event: dict) -> dict | None:
    """A v1 WebSocket event (snapshot, progress or final) as this client's one message shape; None for others."""
    if event.get("type") not in ("snapshot", "progress", *FINISHED):
        return None
    stamp = event.get("timestamp")
    moment = datetime.fromtimestamp(stamp, UTC) if stamp is not None else datetime.now(UTC)
    return {
        "job_id": event["id"],
        "status": event["status"],
        "progress": float(event["progress"]),
        "message": event.get("message") or (WAITING_MESSAGE if event["status"] == "queued" else ""),
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _whole_seconds(seconds: float | None) -> int | None:
    return None if seconds is None else math.ceil(seconds)


def _absolute(request, url: str | None) -> str | None:
    return request.build_absolute_uri(url) if url else None  # an S3 presigned URL is already absolute


# --- Requests ----------------------------------------------------------------------------------------------------


class TransformPreferencesSerializer(serializers.Serializer):
    keep_furniture = serializers.BooleanField(required=False)
    color_palette = PaletteField(required=False)


@extend_schema_field(OpenApiTypes.STR)
class PreferencesField(serializers.Field):
    """`preferences`: a JSON object sent as one form field. Validated by v1's own field types."""

    def to_internal_value(self, data) -> dict:
        try:
            value = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            raise serializers.ValidationError("not valid JSON.", code="invalid_preferences") from None
        if not isinstance(value, dict):
            raise serializers.ValidationError('give a JSON object like {"keep_furniture": true}.',
                                              code="invalid_preferences")
        known = TransformPreferencesSerializer().fields
        unknown = sorted(set(value) - set(known))
        if unknown:
            raise serializers.ValidationError(f"unknown key {unknown[0]!r}; allowed: {', '.join(known)}.",
                                              code="invalid_preferences")
        preferences = TransformPreferencesSerializer(data=value)
        if not preferences.is_valid():
            name, errors = next(iter(preferences.errors.items()))
            raise serializers.ValidationError(f"{name}: {errors[0]}", code="invalid_preferences")
        return dict(preferences.validated_data)

    def to_representation(self, value):
        return json.dumps(value)


class TransformSubmitSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, allow_empty_file=True,
                                 help_text="The room photo: JPEG, PNG, WebP or HEIC.")
    style = serializers.ChoiceField(choices=sorted(STYLES))
    preferences = PreferencesField(
        required=False, default=dict,
        help_text='A JSON string: {"keep_furniture": bool, "color_palette": ["#RRGGBB", ...]} (at most 5).')


class TransformSubmittedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    job_id = serializers.UUIDField()
    estimated_time = serializers.IntegerField(help_text="Seconds.")
    websocket_url = serializers.CharField()
    status_url = serializers.CharField()


class TransformJobMetadataSerializer(serializers.Serializer):
    style = serializers.CharField()
    processing_time = serializers.FloatField(allow_null=True, help_text="Seconds.")
    quality_score = serializers.FloatField()


class TransformJobResultSerializer(serializers.Serializer):
    transformed_url = serializers.CharField()
    thumbnail_url = serializers.CharField()
    original_url = serializers.CharField()
    metadata = TransformJobMetadataSerializer()


class TransformJobSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    status = serializers.CharField(help_text="queued, analyzing, detecting, generating, transforming, finalizing, "
                                             "completed, failed or cancelled.")
    progress = serializers.FloatField(min_value=0, max_value=1)
    estimated_time_remaining = serializers.IntegerField(allow_null=True, help_text="Seconds.")
    result = TransformJobResultSerializer(allow_null=True)
    error = serializers.CharField(allow_null=True)


class TransformStatusSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = TransformJobSerializer()


class TransformCancelledSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


class TransformErrorSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=False)
    error = serializers.CharField(help_text="A readable message.")
    code = serializers.CharField(help_text="Our error code, as in the v1 API.")


class TransformCancelRefusedSerializer(TransformErrorSerializer):
    message = serializers.CharField()


def _errors(*statuses: int) -> dict:
    return {status: OpenApiResponse(TransformErrorSerializer) for status in statuses}


# --- Views -------------------------------------------------------------------------------------------------------


def compat_exception_handler(exc, context):
    """v1's handler (same statuses, codes, headers), re-shaped as {success: false, error, code}."""
    response = exception_handler(exc, context)
    if response is not None:
        error = response.data["error"]
        field = FIELD_NAMES.get(error["field"], error["field"])
        message = f"{field}: {error['message']}" if field else error["message"]  # the form field, by name
        response.data = {"success": False, "error": message, "code": error["code"]}
    return response


class CompatView(APIView):
    permission_classes = [AllowAny]

    def get_exception_handler(self):
        return compat_exception_handler

    def reader(self) -> Requester:
        """Who reads: an account, else the browser's guest session if it has one (never creating a session)."""
        return requester_from_request(self.request)


class TransformSubmitApi(CompatView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(operation_id="transform_submit", tags=["first client"],
                   request={"multipart/form-data": TransformSubmitSerializer},
                   responses={200: TransformSubmittedSerializer, **_errors(400, 401, 413, 415, 429, 503)})
    def post(self, request):
        params = TransformSubmitSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        design, _created = services.design_create(
            requester=self._submitter(), image=params.validated_data.get("file"),
            params={"style": params.validated_data["style"], **params.validated_data["preferences"]},
            idempotency_key=request.headers.get("Idempotency-Key", "").strip()[:255],
        )
        ws_scheme = "wss" if request.is_secure() else "ws"
        estimate = _whole_seconds(estimated_time(design))
        return Response({
            "success": True,
            "job_id": str(design.id),
            "estimated_time": estimate if estimate is not None else NO_HISTORY_ESTIMATE_SECONDS,
            "websocket_url": f"{ws_scheme}://{request.get_host()}/ws/transform/{design.id}",
            "status_url": request.build_absolute_uri(reverse("transform-status", args=[design.id])),
        })

    def _submitter(self) -> Requester:
        """An account submits as itself; anyone else makes a link design (never tied to a session)."""
        return requester_from_request(self.request, guest_key=link_guest_key())


class TransformStatusApi(CompatView):
    @extend_schema(operation_id="transform_status", tags=["first client"],
                   responses={200: TransformStatusSerializer, **_errors(404)})
    def get(self, request, job_id):
        design = design_get_by_job_id(self.reader(), job_id)
        return Response({"success": True, "data": job_status(request, design)})


class TransformCancelApi(CompatView):
    @extend_schema(operation_id="transform_cancel", tags=["first client"], request=None,
                   responses={200: TransformCancelledSerializer, 409: TransformCancelRefusedSerializer, **_errors(404)},
                   examples=[OpenApiExample("cancelled", {"success": True, "message": CANCELLED_MESSAGE},
                                            response_only=True, status_codes=["200"])])
    def delete(self, request, job_id):
        design = design_get_by_job_id(self.reader(), job_id)
        try:
            services.design_cancel(design=design)
        except ApiError as error:
            if error.status_code != 409:
                raise
            # This client reads `message` on a refused cancel; the common fields are there too.
            return Response({"success": False, "error": str(error.detail), "code": error.error_code,
                             "message": str(error.detail)}, status=409)
        return Response({"success": True, "message": CANCELLED_MESSAGE})
