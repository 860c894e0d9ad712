"""Mail to a person: a plain-text and an HTML part from templates/emails/<name>.{txt,html}, the subject from
templates/emails/<name>_subject.txt.

Messages are rendered in the request and sent from a small thread pool, so a request that mails someone
answers in the same time as one that mails no one (the password reset must not tell which addresses have an
account) and a slow SMTP server never holds a request. A message that cannot be sent is logged, not retried:
each one is asked for again by the person waiting for it.
"""
from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
_sender = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
_pending: set[Future] = set()


def mail_render(*, name: str, to: str, context: dict) -> EmailMultiAlternatives:
    context = {"site_name": "Restyle", **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(subject=subject, body=render_to_string(f"emails/{name}.txt", context),
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message


def mail_send(*, name: str, to: str, context: dict) -> Future:
    future = _sender.submit(_deliver, mail_render(name=name, to=to, context=context), name)
    _pending.add(future)
    future.add_done_callback(_pending.discard)
    return future


def mail_drain(timeout: float = 30) -> None:
    """Wait until every message handed over so far was sent (or given up on)."""
    wait(list(_pending), timeout=timeout)


def _deliver(message: EmailMultiAlternatives, name: str) -> None:
    try:
        message.send()
    except Exception:  # an unreachable or refusing SMTP server: the person asks again
        log.exception("could not send the %s mail", name)
    else:
        log.info("sent the %s mail", name)
