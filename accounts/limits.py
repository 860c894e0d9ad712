"""Sign-in and sign-up limits: failed sign-ins per account and per client network, sign-ups per network.

Counting failures, not attempts, is what keeps these limits from being a lock anyone can turn: a stranger who
knows an email address can make it fail as often as they like, but only from their own networks, and a refusal
never reaches a network that has not failed on the account itself. Each failure is counted three times, all in
the same window (RATELIMIT_LOGIN, django-ratelimit's fixed windows in the Redis cache):

- per network, over every account: a network past the limit is refused, whatever account it tries next;
- per account, over every network: a guess spread across many networks is cut too, but only for the networks
  that have failed on this account in the window (the third count, per account and network, says which).
  A network with no failures on it (the owner at home, on the phone) still signs in with the right password.

A success from a network clears that network's failures on that account and nothing else, so the owner's own
typo does not leave them among "the networks that failed" when a guesser later pushes the account past the
limit. The network's count over all accounts stays (signing in to your own account between guesses must not buy
more guesses), and so does the account's count over all networks (the owner signing in must not hand a
distributed guesser a new budget).
"""
from __future__ import annotations

import math

from django.conf import settings
from django.core.cache import cache
from django_ratelimit.core import _get_window, _make_cache_key, _split_rate, get_usage
from rest_framework import status

from core.clients import client_network
from core.errors import ApiError
from core.ratelimit import enforce_rate_limit

NETWORK = "signin-fail:network"
ACCOUNT = "signin-fail:account"
ACCOUNT_NETWORK = "signin-fail:account-network"
SIGNUPS = "signup:network"


def account_key(email: str) -> str:
    """Emails are stored lower-cased; any spelling of one counts against the same account."""
    return email.strip().lower()


def signin_check(request, *, email: str) -> None:
    """Refuse (429) a sign-in from a network that has failed too often, overall or on this account.

    Every attempt also counts against its own network's RATELIMIT_LOGIN_ATTEMPTS, right password or not: that
    bounds the password hashing (and the tokens issued) one network can ask for, and touches no one else.
    """
    if not settings.RATELIMIT_ENABLE:
        return
    network, account = client_network(request), account_key(email)
    enforce_rate_limit(request, group="signin:network", key=network, rate=settings.RATELIMIT_LOGIN_ATTEMPTS)
    usage = _count(request, NETWORK, network)
    if usage["count"] >= usage["limit"]:
        raise _too_many(usage)
    usage = _count(request, ACCOUNT, account)
    if usage["count"] >= usage["limit"] and _count(request, ACCOUNT_NETWORK, f"{account}|{network}")["count"]:
        raise _too_many(usage)


def signin_failed(request, *, email: str) -> None:
    if not settings.RATELIMIT_ENABLE:
        return
    network, account = client_network(request), account_key(email)
    for group, key in ((NETWORK, network), (ACCOUNT, account), (ACCOUNT_NETWORK, f"{account}|{network}")):
        get_usage(request, group=group, key=lambda _g, _r, key=key: key, rate=settings.RATELIMIT_LOGIN,
                  increment=True)


def signin_succeeded(request, *, email: str) -> None:
    """Forget this network's failures on this account (the owner's own typos), and nothing else."""
    if not settings.RATELIMIT_ENABLE:
        return
    key = f"{account_key(email)}|{client_network(request)}"
    rate = settings.RATELIMIT_LOGIN
    # django-ratelimit has no reset; its key is the one get_usage builds (pinned version, requirements/base.txt).
    _limit, period = _split_rate(rate)
    cache.delete(_make_cache_key(ACCOUNT_NETWORK, _get_window(key, period), rate, key, get_usage.ALL))


def signup_check(request) -> None:
    """Sign-up attempts per network (RATELIMIT_REGISTER), then accounts created per network per hour."""
    enforce_rate_limit(request, group="register:network", key=client_network(request),
                       rate=settings.RATELIMIT_REGISTER)
    if not settings.RATELIMIT_ENABLE or not settings.SIGNUPS_PER_NETWORK_PER_HOUR:
        return
    usage = _count(request, SIGNUPS, client_network(request), rate=_signup_rate())
    if usage["count"] >= usage["limit"]:
        raise _too_many(usage, message="Too many new accounts from your network. Try again in {} seconds.")


def signup_done(request) -> None:
    """Count an account that was created (only those: a refused sign-up costs the network nothing here)."""
    if settings.RATELIMIT_ENABLE and settings.SIGNUPS_PER_NETWORK_PER_HOUR:
        network = client_network(request)
        get_usage(request, group=SIGNUPS, key=lambda _g, _r: network, rate=_signup_rate(), increment=True)


def _signup_rate() -> str:
    return f"{settings.SIGNUPS_PER_NETWORK_PER_HOUR}/h"


def _count(request, group: str, key: str, *, rate: str | None = None) -> dict:
    # When the cache cannot be read get_usage answers count 0, limit 0: every check refuses then (fail closed),
    # as enforce_rate_limit does.
    return get_usage(request, group=group, key=lambda _g, _r: key, rate=rate or settings.RATELIMIT_LOGIN)


def _too_many(usage: dict, *, message: str = "Too many failed sign-ins. Try again in {} seconds.") -> ApiError:
    retry_after = max(1, math.ceil(usage["time_left"]))
    return ApiError("rate_limited", message.format(retry_after), status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                    headers={"Retry-After": str(retry_after)})
