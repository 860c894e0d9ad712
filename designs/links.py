"""Link designs: what an anonymous app submits through the first client's routes (issue 13).

That client has no accounts and no cookies, so the design's id (a random UUID4, 122 bits) is the
capability to read, follow and cancel it, like an unlisted link. Such a design is a guest design
(counted in the guest quota of its network) whose guest key is a fresh random one marked with
LINK_PREFIX: no browser session ever holds such a key, so the v1 routes and the dashboard never
list or show it, and a design of an account or of a browser session is never a link design.
"""
from __future__ import annotations

import secrets

LINK_PREFIX = "link-"


def link_guest_key() -> str:
    return LINK_PREFIX + secrets.token_hex(16)


def is_link_design(design) -> bool:
    return design.owner_id is None and design.guest_key.startswith(LINK_PREFIX)
