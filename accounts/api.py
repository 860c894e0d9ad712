from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import audit, limits, services, verification
from accounts.models import ApiToken
from accounts.requester import requester_from_request
from accounts.serializers import (
    MeSerializer,
    PasswordConfirmSerializer,
    RegisterResponseSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
)
from accounts.tokens import token_create, token_revoke
from billing.selectors import plan_summary, quota_status
from core.api_schema import BodyOnDeleteSchema, error_responses
from core.errors import ApiError


class RegisterApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    # JSON only: a cross-site <form> can post urlencoded or multipart bodies without CSRF or CORS getting a say,
    # but a JSON body from another origin needs a CORS preflight, which only CORS_ALLOWED_ORIGINS pass.
    parser_classes = [JSONParser]

    @extend_schema(request=TokenRequestSerializer, responses={201: RegisterResponseSerializer})
    def post(self, request):
        data = _valid(TokenRequestSerializer, request)
        limits.signup_check(request)
        _webhook_url_check(data)
        user = services.user_register(email=data["email"], password=data["password"])
        limits.signup_done(request)
        verification.verification_send(request, user=user)
        key, token = token_create(user=user, name=data["name"], webhook_url=data["webhook_url"])
        return Response({"token": key, "webhook_secret": token.webhook_secret, "user": UserSerializer(user).data},
                        status=status.HTTP_201_CREATED)


class TokenApi(APIView):
    # JSON only, as RegisterApi: a cross-site form could otherwise post wrong passwords for the visitor's own
    # account from the visitor's own network, which the failure limits would then hold against that network.
    parser_classes = [JSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer})
    def post(self, request):
        data = _valid(TokenRequestSerializer, request)
        user = services.user_authenticate(request, email=data["email"], password=data["password"])
        _webhook_url_check(data)
        key, token = token_create(user=user, name=data["name"], webhook_url=data["webhook_url"])
        return Response({"token": key, "name": token.name, "webhook_secret": token.webhook_secret})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the token this request was made with."""
        if not isinstance(request.auth, ApiToken):
            raise ApiError("token_required", "Send the token to revoke in the Authorization header.")
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    schema = BodyOnDeleteSchema()

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        requester = requester_from_request(request)
        return Response({
            "user": UserSerializer(request.user).data,
            "plan": plan_summary(requester=requester),
            "quota": quota_status(requester=requester),
        })

    @extend_schema(request=PasswordConfirmSerializer, responses={204: None, **error_responses(400, 401, 429)})
    def delete(self, request):
        """Close the account: every design, stored file and token goes, for good. Asks for the password."""
        data = _valid(PasswordConfirmSerializer, request)
        services.password_confirm(request, user=request.user, password=data["password"],
                                  channel=audit.Channel.ACCOUNT_DELETE)
        services.user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _webhook_url_check(data: dict) -> None:
    from designs.webhooks import callback_url_check

    data["webhook_url"] = data["webhook_url"].strip()
    if data["webhook_url"]:
        callback_url_check(data["webhook_url"], field="webhook_url")


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

