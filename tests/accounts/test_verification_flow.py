"""A new account gets a verification mail; its link confirms the address and moves the account from the guest
allowance to the free plan. The mail goes through a real SMTP server on loopback (tests/mailserver.py)."""
from __future__ import annotations

from urllib.parse import urlsplit

from accounts.models import User
from tests.conftest import PASSWORD, assert_error
from tests.mailserver import html_of, link_in, text_of


def _token(link: str) -> str:
    path = urlsplit(link).path
    assert path.startswith("/verify/"), link
    return path.removeprefix("/verify/").strip("/")


def test_it_mails_an_api_sign_up_and_the_token_moves_it_to_the_free_plan(api, db, mailbox):
    body = api.post("/api/v1/auth/register/", {"email": "New@Example.com", "password": PASSWORD},
                    format="json").json()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert body["user"]["email_verified"] is False
    before = api.get("/api/v1/me/").json()
    assert before["user"]["email_verified"] is False
    assert (before["plan"]["code"], before["quota"]["limit"], before["plan"]["max_variations"]) == ("guest", 3, 1)

    [message] = mailbox.wait(1)
    assert mailbox.recipients == [["new@example.com"]]
    assert message["Subject"] == "Confirm your address for Restyle"
    assert "Restyle <no-reply@restyle.local>" in message["From"]
    assert "free plan's 5 designs a day" in text_of(message) and "Confirm my address" in html_of(message)
    link = link_in(message)
    assert link.startswith("http://testserver/verify/")

    response = api.post("/api/v1/auth/verify/", {"token": _token(link)}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"email_verified": True}
    after = api.get("/api/v1/me/").json()
    assert after["user"]["email_verified"] is True
    assert (after["plan"]["code"], after["quota"]["limit"], after["plan"]["max_variations"]) == ("free", 5, 2)


def test_it_mails_a_web_sign_up_and_the_link_confirms_it(client, db, mailbox):
    response = client.post("/signup/", {"email": "web@example.com", "password1": PASSWORD, "password2": PASSWORD},
                           follow=True)
    page = response.content.decode()
    assert 'id="verify-banner"' in page and "Send the link again" in page
    assert client.get("/account/").context["plan"]["code"] == "guest"

    link = link_in(mailbox.wait(1)[0])
    response = client.get(urlsplit(link).path, follow=True)

    assert response.redirect_chain[-1][0] == "/account/"
    page = response.content.decode()
    assert "Your address is confirmed" in page and 'id="verify-banner"' not in page
    assert response.context["plan"]["code"] == "free" and response.context["quota"]["limit"] == 5
    assert User.objects.get(email="web@example.com").email_verified


def test_the_link_works_without_a_session_and_twice(client, api, db, mailbox):
    api.post("/api/v1/auth/register/", {"email": "n@example.com", "password": PASSWORD}, format="json")
    link = link_in(mailbox.wait(1)[0])
    for _ in range(2):
        response = client.get(urlsplit(link).path)
        assert response.status_code == 200 and "is confirmed" in response.content.decode()
    assert User.objects.get(email="n@example.com").email_verified


def test_it_refuses_a_forged_token(api, db):
    user = User.objects.create_user("n@example.com", PASSWORD, email_verified=False)
    assert_error(api.post("/api/v1/auth/verify/", {"token": "eyJ1IjoxfQ:abc:def"}, format="json"), 400,
                 "invalid_token", "token")
    assert_error(api.post("/api/v1/auth/verify/", {}, format="json"), 400, "required", "token")
    user.refresh_from_db()
    assert not user.email_verified
