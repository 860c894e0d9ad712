"""Who is asking: a signed-in user, or a guest known by their browser session and IP."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.clients import client_ip


@dataclass(frozen=True)
class Requester:
    user: object | None  # accounts.User when signed in
    guest_key: str  # stable per guest browser session; "" for users
    ip: str

    @property
    def is_guest(self) -> bool:
        return self.user is None

    def owns(self, design) -> bool:
        if self.user is not None:
            return design.owner_id == self.user.pk
        return bool(self.guest_key) and design.owner_id is None and design.guest_key == self.guest_key


GUEST_SESSION_KEY = "restyle_guest"


def requester_from_request(request, *, new_guest: bool = False) -> Requester:
    """The caller. Only a request that creates a design (`new_guest`) gives a guest a key: every other one
    reads the key the session already has, so a visit, a poll or a 404 stores no session row and sets no
    cookie (a guest without a key owns nothing to read)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Requester(user=user, guest_key="", ip=client_ip(request))
    return Requester(user=None, guest_key=guest_key_for(request.session, create=new_guest), ip=client_ip(request))


def guest_key_for(session, *, create: bool = True) -> str:
    """A random key kept in the session (not the session id itself, which rotates on login)."""
    key = session.get(GUEST_SESSION_KEY, "")
    if not key and create:
        import secrets

        key = hashlib.sha256(secrets.token_bytes(32)).hexdigest()[:32]
        session[GUEST_SESSION_KEY] = key
    return key
