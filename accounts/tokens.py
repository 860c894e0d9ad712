"""API keys: `rs_<prefix>_<secret>`. The prefix is stored in clear to find the row, the whole key only hashed."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, User

PREFIX_BYTES = 6
SECRET_BYTES = 24
KEY_SHAPE = re.compile(rf"rs_[0-9a-f]{{{PREFIX_BYTES * 2}}}_[A-Za-z0-9_-]{{{SECRET_BYTES * 4 // 3}}}")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, user: User, name: str) -> str:
    """Create the device's token, replacing an older one of the same name. Returns the key, shown once."""
    key, _token = token_create(user=user, name=name)
    return key


def token_create(*, user: User, name: str, webhook_url: str = "") -> tuple[str, ApiToken]:
    """token_issue, also returning the row: its webhook_secret is shown once with the key."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    key = f"rs_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    with transaction.atomic():
        ApiToken.objects.filter(user=user, name=name).delete()
        token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=_hash(key),
                                        webhook_url=webhook_url, webhook_secret=f"whsec_{secrets.token_hex(24)}")
    return key, token


def key_well_formed(key: str) -> bool:
    """Whether a key has the shape token_issue makes: anything else is refused without a database lookup."""
    return KEY_SHAPE.fullmatch(key) is not None


def token_find(key: str) -> ApiToken | None:
    if not key_well_formed(key):
        return None
    parts = key.split("_", 2)  # the secret part may itself contain "_"
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(key)):
        return None
    return token


def token_touch(token: ApiToken) -> None:
    """Record use, at most once per TOKEN_LAST_USED_RESOLUTION seconds so reads stay cheap."""
    now = timezone.now()
    resolution = timedelta(seconds=settings.TOKEN_LAST_USED_RESOLUTION)
    if token.last_used_at is None or now - token.last_used_at > resolution:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def token_revoke(*, token: ApiToken) -> None:
    token.delete()
