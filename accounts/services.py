from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from rest_framework import status

from accounts import audit, limits
from accounts.models import User
from core.errors import ApiError


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
            return User.objects.create_user(email=email, password=password, email_verified=False)
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        raise ApiError("email_taken", "An account with this email already exists.", field="email") from None


def signin_guard(request, *, email: str, channel: str) -> None:
    """429 (ApiError) when the failure limits refuse this sign-in (accounts/limits.py)."""
    try:
        limits.signin_check(request, email=email)
    except ApiError:
        audit.signin_refused(request, email=email, channel=channel)
        raise


def signin_failure(request, *, email: str, channel: str, outcome: str = audit.Outcome.FAILED,
                   user: User | None = None) -> None:
    """A wrong password (or second-factor code): counted against this account and network, and audited."""
    limits.signin_failed(request, email=email)
    audit.signin_record(request, email=email, channel=channel, outcome=outcome, user=user)


def signin_success(request, *, user: User, channel: str, outcome: str = audit.Outcome.SIGNED_IN) -> None:
    limits.signin_succeeded(request, email=user.email)
    audit.signin_record(request, email=user.email, channel=channel, outcome=outcome, user=user)


def user_authenticate(request, *, email: str, password: str, channel: str = audit.Channel.TOKEN) -> User:
    email = email.strip().lower()
    signin_guard(request, email=email, channel=channel)
    user = authenticate(request, email=email, password=password)
    if user is None:
        signin_failure(request, email=email, channel=channel)
        raise ApiError(
            "invalid_credentials", "Email or password is wrong.", status_code=status.HTTP_400_BAD_REQUEST
        )
    signin_success(request, user=user, channel=channel)
    return user


def user_delete(*, user: User) -> None:
    """Close the account: every design through design_delete (so its files go too), then the user.

    Designs are removed one by one rather than by the user's CASCADE, which would drop the rows and leave
    every stored photo behind. Quota ledger rows go with the user (billing's CASCADE).
    """
    from designs.models import Design
    from designs.services import design_delete
    from projects.services import projects_delete_for

    projects_delete_for(user=user)  # their designs, photos and shared references
    for design in Design.objects.filter(owner=user).prefetch_related("results"):
        design_delete(design=design)
    from accounts.export import exports_delete

    exports_delete(user.data_exports.all())  # the ZIPs of "download my data" hold every photo too
    user.delete()


def password_confirm(request, *, user: User, password: str, channel: str, field: str = "password") -> None:
    """A signed-in person proves it is them before something final: a sign-in, under the same failure limits."""
    signin_guard(request, email=user.email, channel=channel)
    if not user.check_password(password):
        signin_failure(request, email=user.email, channel=channel, user=user)
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
