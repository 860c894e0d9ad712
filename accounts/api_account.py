"""The account over the API, for apps (issue 13): API tokens and the password.

Closing the account is `DELETE /api/v1/me/` (accounts/api.py). Routes follow the accounts issue's
`/api/v1/auth/password/...` family: password reset will sit beside the change here.
"""
from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import audit, services
from accounts.models import ApiToken
from accounts.serializers import ApiTokenSerializer, PasswordChangeSerializer
from accounts.tokens import token_revoke
from core.api_schema import error_responses


def _calling_token(request) -> ApiToken | None:
    return request.auth if isinstance(request.auth, ApiToken) else None


class TokenListApi(APIView):
    @extend_schema(operation_id="auth_tokens_list", responses={200: ApiTokenSerializer(many=True),
                                                               **error_responses(401)})
    def get(self, request):
        calling = _calling_token(request)
        tokens = [
            {"id": token.pk, "name": token.name, "prefix": token.prefix, "created_at": token.created_at,
             "last_used_at": token.last_used_at, "current": calling is not None and token.pk == calling.pk}
            for token in ApiToken.objects.filter(user=request.user).order_by("-created_at")
        ]
        return Response(ApiTokenSerializer(tokens, many=True).data)


class TokenRevokeApi(APIView):
    @extend_schema(operation_id="auth_tokens_revoke", responses={204: None, **error_responses(401, 404)})
    def delete(self, request, token_id: int):
        """Revoke one of your tokens (a lost phone's, or this one): apps using it are signed out at once."""
        token_revoke(token=get_object_or_404(ApiToken, pk=token_id, user=request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    @extend_schema(operation_id="auth_password_change", request=PasswordChangeSerializer,
                   responses={204: None, **error_responses(400, 401, 429)})
    def post(self, request):
        """Change the password. Every other token and every session end; the calling token (or, from a browser,
        the calling session) keeps working, so the app that made the change stays signed in."""
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_confirm(request, user=request.user, password=data.validated_data["current_password"],
                                  channel=audit.Channel.PASSWORD_CHANGE, field="current_password")
        services.user_password_change(user=request.user, new_password=data.validated_data["new_password"],
                                      request=request, keep_token=_calling_token(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
