from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken
from accounts.requester import requester_from_request
from core.api_schema import error_responses
from designs import services, webhooks
from designs.api_schema import (
    ACCEPTED_EXAMPLE,
    IDEMPOTENCY_KEY,
    STATE_EXAMPLE,
    CatalogSerializer,
    DesignStateSerializer,
    accepted_responses,
)
from designs.selectors import design_get_for, design_list_for
from designs.serializers import DesignCreateSerializer, DesignListFilterSerializer
from designs.state import design_state, estimated_time
from gpu.styles import catalog


class DesignApiView(APIView):
    """Designs are open to guests too (the guest plan); ownership decides what each caller sees."""

    permission_classes = [AllowAny]

    def requester(self, *, new_guest: bool = False):
        return requester_from_request(self.request, new_guest=new_guest)

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        # DRF checks CSRF only for signed-in session users, but a guest's session cookie spends the guest's
        # quota too. A cookie-less app (no session) is not affected.
        if not request.user.is_authenticated and settings.SESSION_COOKIE_NAME in request.COOKIES:
            SessionAuthentication().enforce_csrf(request)


def accepted(request, design, *, created: bool) -> Response:
    ws_scheme = "wss" if request.is_secure() else "ws"
    status_url = request.build_absolute_uri(reverse("api-design-detail", args=[design.id]))
    body = {
        "id": str(design.id), "status": design.status, "progress": design.progress,
        "estimated_time": estimated_time(design), "status_url": status_url,
        "websocket_url": f"{ws_scheme}://{request.get_host()}/ws/designs/{design.id}/",
    }
    return Response(body, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
                    headers={"Location": status_url})


def _idempotency_key(request) -> str:
    return request.headers.get("Idempotency-Key", "").strip()[:255]


class DesignListCreateApi(DesignApiView, ListAPIView):
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        filters = DesignListFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return design_list_for(self.requester(), **filters.validated_data)

    @extend_schema(parameters=[OpenApiParameter("status", str), OpenApiParameter("style", str)],
                   responses={200: DesignStateSerializer(many=True)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([design_state(design) for design in page])

    @extend_schema(request={"multipart/form-data": DesignCreateSerializer}, parameters=[IDEMPOTENCY_KEY],
                   responses={**accepted_responses(), **error_responses(400, 413, 415, 429, 503)},
                   examples=[ACCEPTED_EXAMPLE])
    def post(self, request):
        params = DesignCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        callback_url, callback_token = webhooks.callback_for(token=token, url=data.pop("callback_url", ""))
        image, mask, source = data.pop("image", None), data.pop("mask", None), data.pop("source", None)
        reference = data.pop("style_reference", None)
        if source is not None:  # the photo of an earlier design of the caller's, e.g. to edit an area of it
            requester = self.requester()
            design = services.design_restyle(requester=requester, source=design_get_for(requester, source),
                                             params=data, mask=mask, style_reference=reference)
            return accepted(request, design, created=True)
        design, created = services.design_create(
            requester=self.requester(new_guest=True), image=image, mask=mask, params=data, style_reference=reference,
            idempotency_key=_idempotency_key(request), callback_url=callback_url, callback_token=callback_token,
        )
        return accepted(request, design, created=created)


class DesignDetailApi(DesignApiView):
    @extend_schema(responses={200: DesignStateSerializer}, examples=[STATE_EXAMPLE])
    def get(self, request, design_id):
        return Response(design_state(design_get_for(self.requester(), design_id)))

    @extend_schema(responses={204: None})
    def delete(self, request, design_id):
        services.design_delete(design=design_get_for(self.requester(), design_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DesignCancelApi(DesignApiView):
    @extend_schema(request=None, responses={200: DesignStateSerializer, **error_responses(409)})
    def post(self, request, design_id):
        design = services.design_cancel(design=design_get_for(self.requester(), design_id))
        return Response(design_state(design))


class StylesApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: CatalogSerializer})
    def get(self, request):
        return Response(catalog())

