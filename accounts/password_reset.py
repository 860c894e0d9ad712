"""Password reset by mail.

The request never tells whether an address has an account: the same answer, the same status and about the same
time whether a mail goes out or not (mail is sent off the request, accounts/mail.py). Tokens are Django's
default_token_generator: they expire after PASSWORD_RESET_TIMEOUT and work once, because they hash the password
and the last sign-in, which the reset changes. A reset ends every session and API token of the account.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.limits import account_key
from accounts.mail import mail_send
from accounts.models import User
from accounts.services import user_password_change
from accounts.verification import duration
from core.clients import client_network
from core.errors import ApiError
from core.ratelimit import enforce_rate_limit

SENT = "If an account uses this address, we sent it a link to choose a new password. Check your inbox."


def password_reset_request(request, *, email: str) -> None:
    """Mail a reset link when the address has an account; otherwise do nothing, visibly the same.

    Limited per network (RATELIMIT_PASSWORD_RESET_NETWORK) and per address (RATELIMIT_PASSWORD_RESET), counted
    for every address alike so that the 429 says nothing about accounts either.
    """
    address = account_key(email)
    enforce_rate_limit(request, group="password-reset:network", key=client_network(request),
                       rate=settings.RATELIMIT_PASSWORD_RESET_NETWORK)
    enforce_rate_limit(request, group="password-reset:address", key=address, rate=settings.RATELIMIT_PASSWORD_RESET)
    user = User.objects.filter(email=address, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    link = request.build_absolute_uri(reverse("password-reset-confirm", args=[password_reset_uid(user),
                                                                              default_token_generator.make_token(user)]))
    mail_send(name="password_reset", to=user.email,
              context={"link": link, "email": user.email, "valid_for": duration(settings.PASSWORD_RESET_TIMEOUT)})


def password_reset_uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def password_reset_user(*, uid: str, token: str) -> User:
    """The account a reset link is for, while its token is good; otherwise 400 invalid_token."""
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        pk = None
    user = User.objects.filter(pk=pk, is_active=True).first() if pk is not None else None
    if user is None or not default_token_generator.check_token(user, token):
        raise ApiError("invalid_token", "This reset link is not valid: it was used already or has expired. "
                       "Ask for a new one.", field="token")
    return user


def password_reset_confirm(*, user: User, new_password: str) -> None:
    """Set the new password and end every session and token (none is kept: whoever reset it signs in anew).

    The link came by mail, so the address is confirmed too.
    """
    user_password_change(user=user, new_password=new_password)
    if not user.email_verified:
        User.objects.filter(pk=user.pk).update(email_verified=True)
        user.email_verified = True
