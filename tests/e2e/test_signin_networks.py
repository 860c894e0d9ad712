"""A flood of wrong passwords from one network does not lock the owner out from another: real uvicorn, real
client addresses.

Linux routes all of 127.0.0.0/8 to loopback, so clients bound to 127.0.0.2 and 127.0.0.3 reach the server as
two networks, and the address the limits count is the one uvicorn saw on the socket. The server runs with its
default limits (RATELIMIT_LOGIN=10/m), in a process of its own.
"""
from __future__ import annotations

import functools
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from accounts.models import User
from tests.conftest import PASSWORD

ATTACKER, OWNER = "127.0.0.2", "127.0.0.3"
# The server reads what the test wrote: committed rows, not a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)
FLOOD_MAX = 40  # wrong passwords sent until the first 429; the default limit refuses the 11th


class NetworkClient:
    """A cookie-keeping HTTP client whose connections leave from one loopback address, redirects not followed."""

    def __init__(self, live_app, source: str) -> None:
        self.base = live_app.url
        self.opener = urllib.request.build_opener(
            _SourceAddressHandler(source), urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect())

    def request(self, method: str, path: str, *, form: dict | None = None, json_body: dict | None = None):
        data, headers = None, {}
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            data, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, path: str, form: dict):
        """GET the page for its CSRF token, then post the form with it, as a browser does."""
        _status, page = self.request("GET", path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, form={**form, "csrfmiddlewaretoken": token})


class _SourceAddressHandler(urllib.request.HTTPHandler):
    def __init__(self, source: str) -> None:
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer these tests read


def _flood(send) -> int:
    """Send wrong passwords until refused; the number sent before the 429."""
    for sent in range(FLOOD_MAX):
        status, _body = send()
        if status == 429:
            return sent
        assert status in (200, 400), status  # the wrong password's own answer
    raise AssertionError(f"{FLOOD_MAX} wrong passwords and no 429")


def _web_login_flood(live_app, email: str, path: str = "/login/") -> int:
    attacker = NetworkClient(live_app, ATTACKER)
    return _flood(lambda: attacker.post_form(path, {"username": email, "password": "wrong guess"}))


@pytest.fixture
def staff() -> User:
    return User.objects.create_superuser("ops@example.com", PASSWORD)


def test_it_signs_in_on_the_web_from_another_network_during_a_flood(live_app, alice):
    assert _web_login_flood(live_app, "alice@example.com") >= 1
    owner = NetworkClient(live_app, OWNER)
    status, _body = owner.post_form("/login/", {"username": "alice@example.com", "password": PASSWORD})
    assert status == 302
    assert owner.request("GET", "/account/")[0] == 200


def test_it_issues_a_token_from_another_network_during_a_flood(live_app, alice):
    attacker = NetworkClient(live_app, ATTACKER)
    wrong = {"email": "alice@example.com", "password": "wrong guess"}
    assert _flood(lambda: attacker.request("POST", "/api/v1/auth/token/", json_body=wrong)) >= 1
    status, body = NetworkClient(live_app, OWNER).request(
        "POST", "/api/v1/auth/token/", json_body={"email": "alice@example.com", "password": PASSWORD})
    assert status == 200, body
    assert json.loads(body)["token"].startswith("rs_")


def test_it_deletes_the_account_from_another_network_during_a_flood(live_app, alice):
    owner = NetworkClient(live_app, OWNER)
    assert owner.post_form("/login/", {"username": "alice@example.com", "password": PASSWORD})[0] == 302
    assert _web_login_flood(live_app, "alice@example.com") >= 1
    _status, page = owner.request("GET", "/account/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, body = owner.request("POST", "/account/delete/",
                                 form={"password": PASSWORD, "confirm": "on", "csrfmiddlewaretoken": token})
    assert status == 302, body
    assert not User.objects.filter(email="alice@example.com").exists()


def test_it_lets_staff_into_the_admin_from_another_network_during_a_flood(live_app, staff):
    assert _web_login_flood(live_app, "ops@example.com", path="/admin/login/") >= 1
    owner = NetworkClient(live_app, OWNER)
    status, _body = owner.post_form("/admin/login/", {"username": "ops@example.com", "password": PASSWORD,
                                                      "next": "/admin/"})
    assert status == 302
    assert owner.request("GET", "/admin/")[0] == 200
