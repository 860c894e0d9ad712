"""Who is asking: a signed-in user, or a guest known by their browser session, and the network they ask from.

The one place this is built, for every caller: from an HTTP request (pages, the v1 API, the compatibility routes)
and from a socket scope (the progress consumers). Identity lives in accounts; the apps only read it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.clients import client_ip, client_ip_from_scope, network_key


@dataclass(frozen=True)
class Requester:
    user: object | None  # accounts.User when signed in
    guest_key: str  # stable per guest browser session; "" for users
    ip: str

    @property
    def network(self) -> str:
        """What per-client limits count (core.clients.network_key): the IPv4 address or the IPv6 /64."""
        return network_key(self.ip)

    def owns(self, design) -> bool:
        if self.user is not None:
            return design.owner_id == self.user.pk
        return bool(self.guest_key) and design.owner_id is None and design.guest_key == self.guest_key


GUEST_SESSION_KEY = "restyle_guest"


def requester_from_request(request, *, new_guest: bool = False, guest_key: str | None = None) -> Requester:
    """The caller. Only a request that creates a design (`new_guest`) gives a guest a key: every other one
    reads the key the session already has, so a visit, a poll or a 404 stores no session row and sets no
    cookie (a guest without a key owns nothing to read). `guest_key` stands in for the session's key when the
    caller is not signed in (a link design's, designs/links.py): such a guest is never tied to a session."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return Requester(user=user, guest_key="", ip=client_ip(request))
    if guest_key is None:
        guest_key = guest_key_for(request.session, create=new_guest)
    return Requester(user=None, guest_key=guest_key, ip=client_ip(request))


def requester_from_scope(scope) -> Requester:
    """The same for a socket: the user the socket auth put in the scope (accounts/ws_auth.py), else the guest key of
    the session cookie (never created here: a socket only follows what a request made)."""
    user = scope.get("user")
    ip = client_ip_from_scope(scope)
    if user is not None and user.is_authenticated:
        return Requester(user=user, guest_key="", ip=ip)
    session = scope.get("session")
    return Requester(user=None, guest_key=session.get(GUEST_SESSION_KEY, "") if session is not None else "", ip=ip)


def guest_key_for(session, *, create: bool = True) -> str:
    """A random key kept in the session (not the session id itself, which rotates on login)."""
    key = session.get(GUEST_SESSION_KEY, "")
    if not key and create:
        import secrets

        key = hashlib.sha256(secrets.token_bytes(32)).hexdigest()[:32]
        session[GUEST_SESSION_KEY] = key
    return key
