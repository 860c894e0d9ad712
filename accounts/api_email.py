"""E-mail verification and password reset over the API (issue 14). The web pages call the same services."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import password_reset, verification
from accounts.serializers import (
    DetailSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    VerifiedSerializer,
    VerifySerializer,
)
from core.api_schema import error_responses


class _Public(APIView):
    # The token in the body is the proof; JSON only, so another site's <form> cannot post here (see RegisterApi).
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]


class VerifyApi(_Public):
    @extend_schema(operation_id="auth_verify", request=VerifySerializer,
                   responses={200: VerifiedSerializer, **error_responses(400)})
    def post(self, request):
        """Confirm an address with the token from the verification mail. Confirming twice is fine."""
        data = _valid(VerifySerializer, request)
        verification.email_verify(token=data["token"])
        return Response({"email_verified": True})


class VerifyResendApi(APIView):
    @extend_schema(operation_id="auth_verify_resend", request=None,
                   responses={202: DetailSerializer, **error_responses(401, 409, 429)})
    def post(self, request):
        """Send the signed-in account another verification mail (a few an hour)."""
        verification.verification_resend(request, user=request.user)
        return Response({"detail": f"We sent a new link to {request.user.email}."}, status=status.HTTP_202_ACCEPTED)


class PasswordResetApi(_Public):
    @extend_schema(operation_id="auth_password_reset", request=PasswordResetSerializer,
                   responses={202: DetailSerializer, **error_responses(400, 429)})
    def post(self, request):
        """Mail a reset link. The answer is the same whether or not the address has an account."""
        data = _valid(PasswordResetSerializer, request)
        password_reset.password_reset_request(request, email=data["email"])
        return Response({"detail": password_reset.SENT}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(_Public):
    @extend_schema(operation_id="auth_password_reset_confirm", request=PasswordResetConfirmSerializer,
                   responses={204: None, **error_responses(400)})
    def post(self, request):
        """Set a new password with the uid and token of a reset link. Every session and token of the account
        ends; sign in again with the new password."""
        data = _valid(PasswordResetConfirmSerializer, request)
        user = password_reset.password_reset_user(uid=data["uid"], token=data["token"])
        password_reset.password_reset_confirm(user=user, new_password=data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
