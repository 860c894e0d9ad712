from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        """Accounts made in code (createsuperuser, the demo account, scripts) are verified; sign-ups pass
        email_verified=False and confirm their address by mail (accounts/verification.py)."""
        fields.setdefault("email_verified", True)
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account, signed in with its email address. Emails are stored lower-cased."""

    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    # Until a sign-up confirms its address it has the guest plan's allowance (billing/selectors.py).
    email_verified = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email


class ApiToken(models.Model):
    """A device's API key. Only a SHA-256 of the key is kept; the prefix finds the row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Webhooks (designs/webhooks.py): the default callback for this device's designs, and the secret that signs
    # every call. Kept in clear, unlike the key, because signing needs it; shown to the owner once.
    webhook_url = models.URLField(max_length=2000, blank=True)
    webhook_secret = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_one_per_device")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SignInEvent(models.Model):
    """The audit trail of staff sign-ins: every admin sign-in step, and staff accounts signing in anywhere.

    Append-only: rows are written by accounts/audit.py and only read in the admin. The email is kept as typed
    (lower-cased) so failures against accounts that do not exist show up too.
    """

    class Channel(models.TextChoices):
        ADMIN = "admin", "Admin login"
        WEB = "web", "Site login"
        TOKEN = "token", "Token API"
        ACCOUNT_DELETE = "account_delete", "Account deletion"
        PASSWORD_CHANGE = "password_change", "Password change"
        EMAIL_CHANGE = "email_change", "E-mail change"

    class Outcome(models.TextChoices):
        SIGNED_IN = "signed_in", "Password accepted"
        FAILED = "failed", "Wrong email or password"
        OTP_VERIFIED = "otp_verified", "Second factor accepted"
        OTP_FAILED = "otp_failed", "Wrong second-factor code"
        OTP_ENROLLED = "otp_enrolled", "Second factor enrolled"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    email = models.CharField(max_length=254, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    network = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "staff sign-in"

    def __str__(self) -> str:
        return f"{self.email} {self.outcome} ({self.channel})"


class EmailChange(models.Model):
    """A request to move an account to another address, waiting for the link mailed to that address.

    The link signs this row's id (accounts/email_change.py); the row makes it work once (confirmed_at) and only
    while it is the account's latest request and the account still has the address it was asked from.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    old_email = models.EmailField()
    new_email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.old_email} → {self.new_email}"


class DataExport(models.Model):
    """One "download my data" ZIP: built by the worker (accounts/export.py), kept privately in storage until
    expires_at, then deleted with its row by the retention sweep."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        READY = "ready"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    file = models.CharField(max_length=255, blank=True, help_text="Storage key of the ZIP.")
    size = models.PositiveBigIntegerField(default=0)
    site_url = models.CharField(max_length=300, blank=True, help_text="Scheme and host the mail's link uses.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.id} of {self.user_id} ({self.status})"
