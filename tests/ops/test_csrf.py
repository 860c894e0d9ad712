"""Every form that changes something refuses a post without a CSRF token (403), and accepts one with it."""
from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import ApiToken
from accounts.tokens import token_issue
from designs.models import Design, Status
from tests.conftest import PASSWORD
from tests.ops.conftest import jpeg, stored_design

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long pass phrase 42"


def _forms(user, design: Design) -> dict[str, tuple[str, str, dict]]:
    """name → (method, url, data) for each form a person can submit (accounts/urls.py, designs/dashboard_urls.py,
    and the JSON API calls the dashboard's JavaScript makes with the session)."""
    token = ApiToken.objects.get(user=user, name="laptop")
    photo = SimpleUploadedFile("room.jpg", jpeg((512, 384)), content_type="image/jpeg")
    return {
        "signup": ("post", "/signup/", {"email": "new@example.com", "password1": NEW_PASSWORD,
                                         "password2": NEW_PASSWORD}),
        "login": ("post", "/login/", {"username": user.email, "password": PASSWORD}),
        "logout": ("post", "/logout/", {}),
        "password change": ("post", "/account/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                                            "new_password2": NEW_PASSWORD}),
        "token create": ("post", "/account/tokens/", {"name": "phone"}),
        "token revoke": ("post", f"/account/tokens/{token.pk}/revoke/", {}),
        "account delete": ("post", "/account/delete/", {"password": PASSWORD, "confirm": "on"}),
        "restyle": ("post", f"/designs/{design.pk}/restyle/", {"style": "industrial"}),
        "new design": ("post", "/api/v1/designs/", {"style": "japandi", "image": photo}),
        "cancel design": ("post", f"/api/v1/designs/{design.pk}/cancel/", {}),
        "delete design": ("delete", f"/api/v1/designs/{design.pk}/", {}),
    }


ANONYMOUS = {"signup", "login"}
# What each one answers once the token is there: the form's own success, so a 500 or a 400 cannot pass for it.
ACCEPTED = {
    "signup": 302, "login": 302, "logout": 302, "password change": 302, "token create": 200, "token revoke": 302,
    "account delete": 302, "restyle": 302, "new design": 202, "cancel design": 200, "delete design": 204,
}


def _client(user, name: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if name not in ANONYMOUS:
        client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["signup", "login", "logout", "password change", "token create", "token revoke",
                                  "account delete", "restyle", "new design", "cancel design", "delete design"])
def test_it_refuses_a_post_without_the_token_and_takes_it_with(alice, name):
    token_issue(user=alice, name="laptop")
    design = stored_design(owner=alice, status=Status.QUEUED, results=0)  # still cancellable
    method, url, data = _forms(alice, design)[name]
    client = _client(alice, name)
    refused = getattr(client, method)(url, data)
    assert refused.status_code == 403, f"{name}: {refused.status_code}"
    client.get("/login/" if name in ANONYMOUS else "/account/")  # a page with a form sets the CSRF cookie
    secret = client.cookies["csrftoken"].value
    method, url, data = _forms(alice, design)[name]
    if method == "delete":
        accepted = client.delete(url, HTTP_X_CSRFTOKEN=secret)
    else:
        accepted = getattr(client, method)(url, {**data, "csrfmiddlewaretoken": secret}, HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == ACCEPTED[name], f"{name} with a token: {accepted.content[:300]}"


def test_every_rendered_post_form_carries_the_token(alice):
    token_issue(user=alice, name="laptop")
    design = stored_design(owner=alice)
    client = Client()
    pages = ["/signup/", "/login/"]
    html = "".join(client.get(page).content.decode() for page in pages)
    client.force_login(alice)
    for page in ["/account/", "/account/password/", f"/designs/{design.pk}/", "/designs/new/", "/designs/"]:
        response = client.get(page)
        assert response.status_code == 200, page
        html += response.content.decode()
    forms = re.findall(r"<form\b[^>]*method=\"post\"[^>]*>.*?</form>", html, flags=re.S | re.I)
    assert len(forms) >= 6
    for form in forms:
        # The new-design form is sent by JavaScript with X-CSRFToken from the page's csrf-token meta tag.
        if 'action="/api/' in form:
            assert 'name="csrf-token"' in html
            continue
        assert 'name="csrfmiddlewaretoken"' in form, form[:200]
