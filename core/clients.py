"""Where a request comes from: the client's IP (trusting X-Forwarded-For only as configured) and its network,
the unit per-client limits count."""
from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's IP: REMOTE_ADDR, or the address our NUM_PROXIES trusted proxies saw."""
    return client_ip_from(request.META.get("REMOTE_ADDR", ""), request.META.get("HTTP_X_FORWARDED_FOR", ""))


def client_ip_from_scope(scope) -> str:
    """The same for an ASGI scope (WebSocket handshakes): uvicorn runs with --no-proxy-headers (config/serve.py),
    so scope["client"] is the peer and X-Forwarded-For is read here only."""
    peer = (scope.get("client") or ("",))[0] or ""
    forwarded = b",".join(value for name, value in scope.get("headers", []) if name == b"x-forwarded-for")
    return client_ip_from(peer, forwarded.decode("latin-1"))


def client_ip_from(peer: str, forwarded_for: str) -> str:
    """The one place X-Forwarded-For is trusted: only with NUM_PROXIES set, and only from a peer in
    FORWARDED_ALLOW_IPS when that is set. Each proxy appends the address it saw, so the client is the
    NUM_PROXIES-th from the right; anything further left was written by the client and is ignored."""
    if not settings.NUM_PROXIES or not _trusted_proxy(peer):
        return peer
    forwarded = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(forwarded) >= settings.NUM_PROXIES:
        return forwarded[-settings.NUM_PROXIES]
    return peer


def _trusted_proxy(peer: str) -> bool:
    if not settings.FORWARDED_ALLOW_IPS:
        return True
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in settings.FORWARDED_ALLOW_IPS)


def network_key(ip: str | None) -> str:
    """The unit a client is counted in: the IPv4 address, or the /64 an IPv6 address belongs to.

    An IPv6 customer is handed a whole /64 (2^64 addresses), so counting single addresses would let one person
    rotate through endless identities. IPv4-mapped IPv6 addresses count as the IPv4 address they carry; what
    cannot be parsed shares one "unknown" bucket rather than getting a free one each.
    """
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


def client_network(request) -> str:
    """The client's network key (see network_key): what per-client limits should count, not the bare IP."""
    return network_key(client_ip(request))
