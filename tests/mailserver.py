"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the tests to read."""
from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import re
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.servers import free_port

LINK = re.compile(r"https?://\S+")
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO


class Mailbox:
    """Every message the server accepted, parsed, in the order they arrived."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self.delay = 0.0  # seconds the server takes to accept a message, as a distant provider does
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        self.delay = 0.0
        with self._lock:
            self.messages.clear()
            self.recipients.clear()

    def wait(self, count: int = 1, *, timeout: float = 15) -> list[EmailMessage]:
        """The first `count` messages, once that many arrived; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            assert time.monotonic() < deadline, f"{len(self.messages)} of {count} messages arrived"
            time.sleep(0.02)
        return self.messages[:count]

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link_in(message: EmailMessage) -> str:
    """The link a person would click: the first URL of the plain-text part (the HTML part carries the same)."""
    links = LINK.findall(text_of(message))
    assert links, text_of(message)
    assert links[0] in html_of(message)
    return links[0]


class SmtpServer:
    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
