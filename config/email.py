"""EMAIL_URL → Django's EMAIL_* settings.

    console://                               messages printed to the log (development)
    smtp://user:pass@host:587                plain SMTP, then STARTTLS only with ?tls=1
    smtp+tls://user:pass@host:587            SMTP with STARTTLS
    smtps://user:pass@host:465               SMTP over TLS from the first byte
    locmem:// / dummy://                     kept in memory / dropped

User names and passwords are percent-decoded (an address as user name is `me%40example.com`). `?timeout=10`
sets the SMTP socket timeout in seconds (default 10).
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}
_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_DEFAULT_PORTS = {"smtp": 25, "smtp+tls": 587, "smtps": 465}


def email_settings(url: str) -> dict:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in _BACKENDS:
        return {"EMAIL_BACKEND": _BACKENDS[scheme]}
    if scheme not in _DEFAULT_PORTS:
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {scheme!r} (use smtp, smtp+tls, smtps or console)")
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL: an SMTP URL needs a host, e.g. smtp+tls://user:pass@host:587")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
        timeout = int(query.get("timeout", "10"))
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL: the port and ?timeout= must be numbers") from None
    return {
        "EMAIL_BACKEND": _SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls" or query.get("tls", "").lower() in ("1", "true", "yes"),
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_TIMEOUT": timeout,
    }
