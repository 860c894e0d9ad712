"""The account's address and data over the API (issue 14): change of e-mail address and data export.
The web pages (accounts/views_me.py) call the same services."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import email_change, export
from accounts.api_email import _valid
from accounts.serializers import (
    DataExportSerializer,
    DetailSerializer,
    EmailChangeConfirmSerializer,
    EmailChangedSerializer,
    EmailChangeSerializer,
)
from core.api_schema import error_responses
from core.errors import ApiError


class EmailChangeApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(operation_id="me_email_change", request=EmailChangeSerializer,
                   responses={202: DetailSerializer, **error_responses(400, 401, 429)})
    def post(self, request):
        """Ask to move the account to another address. A link goes to the new address; the address changes
        when it is opened, and the old address is told. Needs the password."""
        data = _valid(EmailChangeSerializer, request)
        email_change.email_change_request(request, user=request.user, new_email=data["new_email"],
                                          password=data["password"])
        return Response({"detail": email_change.sent_message(data["new_email"].lower())},
                        status=status.HTTP_202_ACCEPTED)


class EmailChangeConfirmApi(APIView):
    # The token is the proof (it came to the new address), as for verification: no sign-in, JSON only.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]

    @extend_schema(operation_id="me_email_confirm", request=EmailChangeConfirmSerializer,
                   responses={200: EmailChangedSerializer, **error_responses(400)})
    def post(self, request):
        """Confirm a change of address with the token from the link. It works once."""
        user = email_change.email_change_confirm(token=_valid(EmailChangeConfirmSerializer, request)["token"])
        return Response({"email": user.email, "email_verified": user.email_verified})


class DataExportApi(APIView):
    @extend_schema(operation_id="me_export_create", request=None,
                   responses={202: DataExportSerializer, **error_responses(401, 409, 429)})
    def post(self, request):
        """Ask for a ZIP of everything Restyle holds about you. Poll `status_url`; a mail says when it is ready.
        One at a time, a few a day."""
        summary = export.export_summary(export.export_request(request, user=request.user), request=request)
        return Response(summary, status=status.HTTP_202_ACCEPTED, headers={"Location": summary["status_url"]})


class DataExportDetailApi(APIView):
    @extend_schema(operation_id="me_export_retrieve", responses={200: DataExportSerializer,
                                                                 **error_responses(401, 404)})
    def get(self, request, export_id):
        found = export.export_for_user(user=request.user, export_id=export_id)
        if found is None:
            raise ApiError("not_found", "Not found.", status_code=status.HTTP_404_NOT_FOUND)
        return Response(export.export_summary(found, request=request))
