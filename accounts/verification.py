"""E-mail verification: a signed, expiring link proves a sign-up reads its mail.

The token signs the account's id and address (django.core.signing, timestamped), so it stops working when the
address changes and after EMAIL_VERIFY_MAX_AGE; nothing is stored. Confirming twice is harmless.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timeuntil
from rest_framework import status

from accounts.mail import mail_send
from accounts.models import User
from core.errors import ApiError
from core.ratelimit import enforce_rate_limit

SALT = "accounts.verify-email"


def verification_token(*, user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SALT, compress=True)


def verification_send(request, *, user: User) -> None:
    from billing.selectors import plan_get

    link = request.build_absolute_uri(reverse("verify-email", args=[verification_token(user=user)]))
    mail_send(name="verify_email", to=user.email, context={
        "link": link, "valid_for": duration(settings.EMAIL_VERIFY_MAX_AGE),
        "free_daily_limit": plan_get(code="free").daily_limit, "guest_daily_limit": plan_get(code="guest").daily_limit,
    })


def verification_resend(request, *, user: User) -> None:
    """Another link, RATELIMIT_VERIFY_RESEND times per account: a mailbox is not ours to flood."""
    if user.email_verified:
        raise ApiError("already_verified", "Your address is already confirmed.",
                       status_code=status.HTTP_409_CONFLICT)
    enforce_rate_limit(request, group="verify-resend:account", key=str(user.pk),
                       rate=settings.RATELIMIT_VERIFY_RESEND)
    verification_send(request, user=user)


def link_load(token: str, *, salt: str, max_age: int) -> dict:
    """What a mailed link signed; an expired or bad one is the 400 `token` error every link page shows."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise ApiError("token_expired", "This link has expired. Ask for a new one from your account page.",
                       field="token") from None
    except signing.BadSignature:
        raise ApiError("invalid_token", "This link is not valid.", field="token") from None


def email_verify(*, token: str) -> User:
    """Mark the account the token names as verified. A bad, expired or outdated token is a 400."""
    data = link_load(token, salt=SALT, max_age=settings.EMAIL_VERIFY_MAX_AGE)
    user = User.objects.filter(pk=data.get("u"), email=data.get("e"), is_active=True).first()
    if user is None:
        raise ApiError("invalid_token", "This link is not valid.", field="token")
    if not user.email_verified:
        User.objects.filter(pk=user.pk).update(email_verified=True)
        user.email_verified = True
    return user


def duration(seconds: int) -> str:
    """"3 days", "1 hour": how long a link works, for the mail that carries it."""
    now = timezone.now()
    return timeuntil(now + timedelta(seconds=seconds), now).replace("\xa0", " ")
