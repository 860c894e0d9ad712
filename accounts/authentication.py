from __future__ import annotations

from rest_framework import authentication, exceptions

from accounts.tokens import token_find, token_touch

KEYWORDS = {"token", "bearer"}


def key_from_header(header: bytes | str) -> str | None:
    """The key from `Authorization: Token <key>` or `Bearer <key>`, else None."""
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    parts = header.split()
    if len(parts) != 2 or parts[0].lower() not in KEYWORDS:
        return None
    return parts[1]


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        key = key_from_header(header)
        if key is None:
            if header.split()[0].lower().decode("latin-1") in KEYWORDS:
                raise exceptions.AuthenticationFailed("Malformed Authorization header.")
            return None
        token = token_find(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        token_touch(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return "Token"
