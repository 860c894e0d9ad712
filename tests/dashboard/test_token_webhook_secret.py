"""A token made on the account page shows its webhook secret once, beside the key, as the API does."""
from __future__ import annotations

from accounts.tokens import token_find


def _shown(page: str, element_id: str) -> str:
    return page.split(f'id="{element_id}" type="text" readonly value="')[1].split('"')[0]


def test_it_shows_the_webhook_secret_once(alice_client, alice):
    page = alice_client.post("/account/tokens/", {"name": "server"}).content.decode()
    key, secret = _shown(page, "new-key"), _shown(page, "new-webhook-secret")
    assert secret.startswith("whsec_") and secret == token_find(key).webhook_secret
    assert secret not in alice_client.get("/account/").content.decode()
