"""`POST /api/v1/designs/{id}/results/{n}/upscale/` and the upscale it makes: read it, cancel it."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api_schema import error_responses
from designs import upscales
from designs.api import DesignApiView
from designs.api_schema import UpscaleStateSerializer
from designs.selectors import design_get_for
from gpu.types import UPSCALE_FACTORS, UPSCALE_MAX_SIDE


class UpscaleCreateSerializer(serializers.Serializer):
    factor = serializers.ChoiceField(
        choices=UPSCALE_FACTORS,
        help_text="2 or 4 times the result's size; the long side is capped at UPSCALE_MAX_SIDE (4096) px, aspect kept.",
    )


UPSCALE_EXAMPLE = OpenApiExample("queued", response_only=True, status_codes=["202"], value={
    "id": "0f4b0d43-51a8-4a3e-8d0c-3f3a5b5e9e11", "result_index": 0, "factor": 4, "max_side": UPSCALE_MAX_SIDE,
    "status": "queued", "progress": 0.0, "message": "Waiting for a GPU...", "seq": 0, "width": None,
    "height": None, "url": None, "images_charged": 1, "created_at": "2026-11-12T10:31:02+00:00",
    "finished_at": None, "error": None,
})


def _location(request, upscale) -> str:
    return request.build_absolute_uri(reverse("api-upscale-detail", args=[upscale.design_id, upscale.id]))


class UpscaleCreateApi(DesignApiView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        operation_id="designs_results_upscale_create", request=UpscaleCreateSerializer,
        responses={202: OpenApiResponse(UpscaleStateSerializer, description="Accepted and queued; charged now."),
                   200: OpenApiResponse(UpscaleStateSerializer, description="This result was already upscaled by "
                                        "this factor, or is being: that upscale, not charged again."),
                   **error_responses(403, 409, 429, 503)},
        examples=[UPSCALE_EXAMPLE],
    )
    def post(self, request, design_id, index: int):
        params = UpscaleCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        design = design_get_for(self.requester(), design_id)
        upscale, created = upscales.upscale_create(requester=self.requester(), design=design, index=index,
                                                   factor=params.validated_data["factor"])
        return Response(upscales.upscale_state(upscale),
                        status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
                        headers={"Location": _location(request, upscale)})


class UpscaleDetailApi(DesignApiView):
    @extend_schema(operation_id="designs_upscales_retrieve", responses={200: UpscaleStateSerializer})
    def get(self, request, design_id, upscale_id):
        design = design_get_for(self.requester(), design_id)
        return Response(upscales.upscale_state(upscales.upscale_get_for(design=design, upscale_id=upscale_id)))


class UpscaleCancelApi(DesignApiView):
    @extend_schema(operation_id="designs_upscales_cancel_create", request=None,
                   responses={200: UpscaleStateSerializer, **error_responses(409)})
    def post(self, request, design_id, upscale_id):
        design = design_get_for(self.requester(), design_id)
        upscale = upscales.upscale_cancel(upscale=upscales.upscale_get_for(design=design, upscale_id=upscale_id))
        return Response(upscales.upscale_state(upscale))
