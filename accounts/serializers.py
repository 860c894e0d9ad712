from __future__ import annotations

from rest_framework import serializers

from accounts.models import User


class CredentialsSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class TokenRequestSerializer(CredentialsSerializer):
    name = serializers.CharField(max_length=100, required=False, default="api", help_text="The device's name.")
    webhook_url = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="",
        help_text="Default callback for the designs this token submits (public http(s) addresses only).")


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "email_verified", "date_joined", "is_staff"]


WEBHOOK_SECRET_HELP = ("Signs this token's webhook calls (Restyle-Signature). Shown once, with the token; we keep it "
                       "to sign, and it ends with the token.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once. Send it as `Authorization: Token <token>`.")
    name = serializers.CharField()
    webhook_secret = serializers.CharField(help_text=WEBHOOK_SECRET_HELP)


class RegisterResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    webhook_secret = serializers.CharField(help_text=WEBHOOK_SECRET_HELP)
    user = UserSerializer()


class PlanSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    daily_limit = serializers.IntegerField()
    max_variations = serializers.IntegerField()
    max_resolution = serializers.IntegerField()
    priority = serializers.IntegerField()


class QuotaSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    resets_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    user = UserSerializer()
    plan = PlanSerializer()
    quota = QuotaSerializer()


class PasswordConfirmSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False, help_text="The account's password.")


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=256, trim_whitespace=False)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


class ApiTokenSerializer(serializers.Serializer):
    """A token as its owner may see it again: never the key, which exists only in the response that made it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The readable start of the key: `rs_<prefix>_…`.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField(help_text="The token this request was made with.")


class VerifySerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500, help_text="The token from the verification link.")


class VerifiedSerializer(serializers.Serializer):
    email_verified = serializers.BooleanField()


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64, help_text="From the reset link: /password/reset/<uid>/<token>/.")
    token = serializers.CharField(max_length=100)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class EmailChangeSerializer(serializers.Serializer):
    new_email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, help_text="The account's password.")


class EmailChangeConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500, help_text="From the link mailed to the new address: "
                                                            "/account/email/confirm/<token>/.")


class EmailChangedSerializer(serializers.Serializer):
    email = serializers.EmailField()
    email_verified = serializers.BooleanField()


class DataExportSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["queued", "running", "ready", "failed", "expired"])
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="When the ZIP and its link go.")
    size = serializers.IntegerField(allow_null=True, help_text="Bytes, once ready.")
    download_url = serializers.CharField(
        allow_null=True, help_text="Once ready: a signed link that works until expires_at, and only when sent "
                                   "with this account's token or session.")
    status_url = serializers.CharField()
