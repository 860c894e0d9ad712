"""EMAIL_URL: one setting for the mail backend, SMTP with its TLS choice, or the console."""
from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.email import email_settings


def test_it_reads_starttls_smtp_with_an_encoded_user():
    settings = email_settings("smtp+tls://me%40example.com:p%2Fss@mail.example.com:2525?timeout=5")
    assert settings == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "mail.example.com",
        "EMAIL_PORT": 2525, "EMAIL_HOST_USER": "me@example.com", "EMAIL_HOST_PASSWORD": "p/ss",
        "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False, "EMAIL_TIMEOUT": 5,
    }


def test_it_reads_implicit_tls_and_default_ports():
    smtps = email_settings("smtps://u:p@mail.example.com")
    assert (smtps["EMAIL_PORT"], smtps["EMAIL_USE_SSL"], smtps["EMAIL_USE_TLS"]) == (465, True, False)
    plain = email_settings("smtp://relay.internal")
    assert (plain["EMAIL_PORT"], plain["EMAIL_USE_SSL"], plain["EMAIL_USE_TLS"]) == (25, False, False)
    assert email_settings("smtp://relay.internal:587?tls=1")["EMAIL_USE_TLS"] is True


def test_it_prints_to_the_console_in_development():
    assert email_settings("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


@pytest.mark.parametrize("url", ["smtp://", "mailgun://key@x", "smtp://host:port"])
def test_it_refuses_what_it_cannot_use(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)
