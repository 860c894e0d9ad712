"""The staff sign-in audit: a SignInEvent row (admin → Accounts → Staff sign-ins) and a log line for each.

Recorded: every step of the admin login (any email: a failure against an address that is not an account is
still an attack on the admin), and sign-ins of staff accounts through the site, the token API and the
password check of account deletion. Refusals by the rate limits are logged but not stored: they are
unbounded, and a row each would turn a flood into database writes.
"""
from __future__ import annotations

import ipaddress
import logging

from accounts.models import SignInEvent, User
from core.clients import client_ip, client_network

logger = logging.getLogger("restyle.security")

Channel = SignInEvent.Channel
Outcome = SignInEvent.Outcome
_WARN = {Outcome.FAILED, Outcome.OTP_FAILED}


def signin_record(request, *, email: str, channel: str, outcome: str, user: User | None = None) -> None:
    """Record one sign-in step. Outside the admin only staff accounts are recorded."""
    email = email.strip().lower()
    if user is None and outcome in _WARN:
        user = User.objects.filter(email=email).first()
    if channel != Channel.ADMIN and not (user is not None and user.is_staff):
        return
    ip = client_ip(request)
    SignInEvent.objects.create(
        email=email[:254], user=user, channel=channel, outcome=outcome, ip=_address(ip),
        network=client_network(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
    level = logging.WARNING if outcome in _WARN else logging.INFO
    logger.log(level, "staff sign-in %s: %s via %s from %s", outcome, email, channel, ip,
               extra={"event": "staff_signin", "outcome": str(outcome), "channel": str(channel), "email": email,
                      "client_ip": ip})


def signin_refused(request, *, email: str, channel: str) -> None:
    """A sign-in the failure limits turned away (429): a log line only."""
    logger.warning("sign-in refused by the failure limit: %s via %s from %s", email.strip().lower(), channel,
                   client_ip(request), extra={"event": "signin_refused", "channel": str(channel)})


def _address(ip: str) -> str | None:
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None
