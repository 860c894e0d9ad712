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


def password_confirm(request, *, user: User, password: str, field: str = "password") -> None:
    """A signed-in person proves it is them before something final; counted like a sign-in."""
    rate_limit_auth(request, action="login", email=user.email)
    if not user.check_password(password):
        raise ApiError("wrong_password", "That is not your password.", field=field)


def user_password_change(*, user: User, new_password: str, request=None, keep_token=None) -> None:
    """Set a new password and end every other way in.

    Every API token goes except `keep_token` (the one the change was made with); every session ends too,
    since a session is checked against a hash of the password on its next request, except the calling
    request's own session, which is moved to the new hash.
    """
    from django.contrib.auth import update_session_auth_hash

    from accounts.models import ApiToken

    try:
        validate_password(new_password, user=user)
    except DjangoValidationError as error:
        raise ApiError("weak_password", " ".join(error.messages), field="new_password") from None
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens = ApiToken.objects.filter(user=user)
        if keep_token is not None:
            tokens = tokens.exclude(pk=keep_token.pk)
        tokens.delete()
    if request is not None and keep_token is None and request.user.is_authenticated:
        update_session_auth_hash(request, user)
