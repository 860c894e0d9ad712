"""Changing an account's e-mail address: a link to the new address confirms it, a notice tells the old one.

The request asks for the password (a session left open on a shared computer must not be enough to take the
account over), is limited per account (RATELIMIT_EMAIL_CHANGE), and answers the same whether or not the new
address has an account: when it has, that address gets a mail saying so instead of a link, so the person who
asked learns nothing that sign-up would not tell them, and the mailbox's owner learns what happened.

The link signs an EmailChange row's id (timestamped, EMAIL_CHANGE_MAX_AGE). It works once, only while it is the
account's latest request, and only while the account still has the address it was asked from. Confirming moves
the account to the new address, keeps it verified (the link proved the new address) and mails the old one.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit, services
from accounts.limits import account_key
from accounts.mail import mail_send
from accounts.models import EmailChange, User
from accounts.verification import duration, link_load
from core.errors import ApiError
from core.ratelimit import enforce_rate_limit

log = logging.getLogger(__name__)

SALT = "accounts.email-change"


def sent_message(new_email: str) -> str:
    return (f"We sent a link to {new_email}. Your address changes when you open it; until then you keep "
            "using the current one.")


def email_change_request(request, *, user: User, new_email: str, password: str) -> None:
    """Check the password, then mail the new address a link (or, when it has an account, a notice instead)."""
    new_email = account_key(User.objects.normalize_email(new_email))
    if new_email == user.email:
        raise ApiError("same_email", "That is already your address.", field="new_email")
    services.password_confirm(request, user=user, password=password, channel=audit.Channel.EMAIL_CHANGE)
    enforce_rate_limit(request, group="email-change:account", key=str(user.pk), rate=settings.RATELIMIT_EMAIL_CHANGE)
    if User.objects.filter(email=new_email).exclude(pk=user.pk).exists():
        mail_send(name="email_change_taken", to=new_email, context={"email": new_email})
        return
    change = EmailChange.objects.create(user=user, old_email=user.email, new_email=new_email)
    link = request.build_absolute_uri(reverse("email-change-confirm", args=[email_change_token(change=change)]))
    mail_send(name="email_change_confirm", to=new_email, context={
        "link": link, "old_email": user.email, "new_email": new_email,
        "valid_for": duration(settings.EMAIL_CHANGE_MAX_AGE),
    })


def email_change_token(*, change: EmailChange) -> str:
    return signing.dumps({"c": change.pk}, salt=SALT, compress=True)


def email_change_pending(*, user: User) -> EmailChange | None:
    """The request whose link still works, for the account page."""
    latest = user.email_changes.first()
    cutoff = timezone.now() - timedelta(seconds=settings.EMAIL_CHANGE_MAX_AGE)
    if latest and latest.confirmed_at is None and latest.old_email == user.email and latest.created_at > cutoff:
        return latest
    return None


def email_change_confirm(*, token: str) -> User:
    """Move the account to the address the token names. A bad, expired, used or outdated token is a 400; an
    address that got an account since the request is a 400 email_taken."""
    data = link_load(token, salt=SALT, max_age=settings.EMAIL_CHANGE_MAX_AGE)
    try:
        with transaction.atomic():
            change, user = _claim(data.get("c"))
            user.email, user.email_verified = change.new_email, True
            user.save(update_fields=["email", "email_verified"])
    except IntegrityError:  # the address was taken between the check and the save
        raise _taken() from None
    mail_send(name="email_change_notice", to=change.old_email, context={
        "old_email": change.old_email, "new_email": change.new_email, "changed_at": change.confirmed_at})
    log.info("account %s moved to a new address", user.pk)
    return user


def _claim(change_id) -> tuple[EmailChange, User]:
    """Lock the request and its account and mark the request used, or refuse."""
    invalid = ApiError("invalid_token", "This link is not valid any more: it was used already, or a newer "
                       "change was asked for. Ask again from your account page.", field="token")
    change = EmailChange.objects.select_for_update().filter(pk=change_id).first() if change_id else None
    if change is None or change.confirmed_at is not None:
        raise invalid
    user = User.objects.select_for_update().filter(pk=change.user_id, is_active=True).first()
    latest = (EmailChange.objects.filter(user_id=change.user_id).order_by("-created_at", "-pk")
              .values_list("pk", flat=True).first())
    if user is None or user.email != change.old_email or latest != change.pk:
        raise invalid
    if User.objects.filter(email=change.new_email).exclude(pk=user.pk).exists():
        raise _taken()
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    return change, user


def _taken() -> ApiError:
    return ApiError("email_taken", "Another account uses this address now, so yours was not moved to it.",
                    field="token")
