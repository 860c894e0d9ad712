from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import status

from accounts.models import User
from config.api import ApiError, client_ip, enforce_rate_limit


def rate_limit_auth(request, *, action: str, email: str) -> None:
    """Sign-in and sign-up floods are cut per client IP and per email."""
    rate = settings.RATELIMIT_LOGIN if action == "login" else settings.RATELIMIT_REGISTER
    enforce_rate_limit(request, group=f"{action}:ip", key=client_ip(request), rate=rate)
    enforce_rate_limit(request, group=f"{action}:email", key=email.strip().lower(), rate=rate)


def user_register(*, email: str, password: str) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise ApiError("email_taken", "An account with this email already exists.", field="email")
    try:
        validate_password(password, user=User(email=email))
    except DjangoValidationError as error:
        raise ApiError("weak_password", " ".join(error.messages), field="password") from None
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password)
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        raise ApiError("email_taken", "An account with this email already exists.", field="email") from None


def user_authenticate(request, *, email: str, password: str) -> User:
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None:
        raise ApiError(
            "invalid_credentials", "Email or password is wrong.", status_code=status.HTTP_400_BAD_REQUEST
        )
    return user


def user_delete(*, user: User) -> None:
    """Close the account: every design through design_delete (so its files go too), then the user.

    Designs are removed one by one rather than by the user's CASCADE, which would drop the rows and leave
    every stored photo behind. Quota ledger rows go with the user (billing's CASCADE).
    """
    from designs.models import Design
    from designs.services import design_delete

    for design in Design.objects.filter(owner=user).prefetch_related("results"):
        design_delete(design=design)
    user.delete()
