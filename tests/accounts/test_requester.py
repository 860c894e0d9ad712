"""Who is asking is built in one place (accounts/requester.py): a request and a socket from the same person and
network give the same requester, and reading never gives a guest a key."""
from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from accounts.requester import GUEST_SESSION_KEY, requester_from_request, requester_from_scope

ADDRESS = "2001:db8:1:2::7"  # an IPv6 client is counted by its /64


def _request(user, session: dict):
    request = RequestFactory().get("/", REMOTE_ADDR=ADDRESS)
    request.user, request.session = user, session
    return request


def _scope(user, session: dict | None) -> dict:
    return {"type": "websocket", "user": user, "session": session, "client": (ADDRESS, 50123), "headers": []}


def test_it_builds_the_same_requester_for_a_user_from_a_request_and_a_socket(alice):
    from_request = requester_from_request(_request(alice, {}))
    from_socket = requester_from_scope(_scope(alice, None))

    assert from_request == from_socket
    assert (from_socket.user, from_socket.guest_key, from_socket.network) == (alice, "", "2001:db8:1:2::/64")


def test_it_builds_the_same_requester_for_a_guest_from_a_request_and_a_socket(db):
    session = {GUEST_SESSION_KEY: "guest-key-1"}

    from_request = requester_from_request(_request(AnonymousUser(), session))
    from_socket = requester_from_scope(_scope(AnonymousUser(), session))

    assert from_request == from_socket
    assert (from_socket.user, from_socket.guest_key, from_socket.network) == (None, "guest-key-1", "2001:db8:1:2::/64")


def test_it_gives_a_guest_a_key_only_when_they_create_a_design(db):
    session: dict = {}

    assert requester_from_request(_request(AnonymousUser(), session)).guest_key == ""
    assert requester_from_scope(_scope(AnonymousUser(), session)).guest_key == ""
    assert session == {}  # reading stored nothing

    created = requester_from_request(_request(AnonymousUser(), session), new_guest=True).guest_key
    assert created and session[GUEST_SESSION_KEY] == created
    assert requester_from_scope(_scope(AnonymousUser(), session)).guest_key == created
