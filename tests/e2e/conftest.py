"""Browser tests: Debian's Chromium (headless, via Playwright) against the real ASGI app in a uvicorn
subprocess, a real Dramatiq worker in this process, the tiny pipeline, Postgres and Redis.

The server shares this process's test database (by name) and media folder, so the worker, the server and
the test all see the same designs and files.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.billing.stripe_support import SECRET_KEY, WEBHOOK_SECRET, payments  # noqa: F401  (localstripe)
from tests.designs.conftest import FIXTURES, worker_control  # noqa: F401  (the real in-process worker fixture)
from tests.servers import ROOT, Process, free_port

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(),
                                    reason="Debian's Chromium is missing: apt-get install -y chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
               "--disable-component-update", "--disable-sync"]

class LiveServer:
    """A web server process (tests.servers.Process) on a loopback port."""

    def __init__(self, process: Process, port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.netloc = f"127.0.0.1:{port}"

    def start(self, *, timeout: float = 60) -> LiveServer:
        """Started, once /health/ answers 200; the server's output in the error otherwise."""
        self.process.start().wait_for_url(f"{self.url}/health/", timeout=timeout)
        return self

    def owns(self, url: str) -> bool:
        """Whether a URL the browser asked for is this site (or inline data that needs no request at all)."""
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.netloc == self.netloc


@pytest.fixture(scope="session")
def live_app(django_db_setup, django_db_blocker, smtp_server, stripe_server) -> LiveServer:
    """uvicorn serving config.asgi (HTTP and WebSockets), pointed at the test database, sending its mail to
    the loopback SMTP server (tests/mailserver.py) and taking payments through localstripe (tests/stripe_server.py)."""
    with django_db_blocker.unblock():
        db = connection.settings_dict
    database_url = f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.e2e.settings", "DATABASE_URL": database_url,
           "E2E_MEDIA_ROOT": str(settings.MEDIA_ROOT), "PYTHONUNBUFFERED": "1",
           "EMAIL_URL": smtp_server.url, "STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
           "STRIPE_API_BASE": stripe_server.url}
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    log = ROOT / "test-artifacts" / "e2e-server.log"
    log.unlink(missing_ok=True)
    process = Process([sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port",
                       str(port), "--log-level", "warning", "--ws", "websockets"], name="uvicorn", env=env, log=log)
    server = LiveServer(process, port)
    try:
        yield server.start()
    finally:
        process.stop()


@pytest.fixture(scope="module")
def browser(live_app):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread, so Django would take every ORM call in the
    # tests (and the database flush between them) for a call from async code. They are plain sync calls.
    # Module scope keeps that exception to the browser tests: the rest of the suite runs with Django's check.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Visit:
    """One browser context (its own cookies) that records every request the pages make."""

    def __init__(self, browser, live_app: LiveServer, *, mobile: bool = False, allow: tuple[str, ...] = ()) -> None:
        options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True} if mobile else {
            "viewport": {"width": 1280, "height": 900}}
        self.context = browser.new_context(base_url=live_app.url, **options)
        self.context.set_default_timeout(20_000)
        self.live_app = live_app
        self.allow = allow  # other hosts this visit may reach on purpose (the fake Stripe's hosted pages)
        self.requests: list[str] = []
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        self.console_errors: list[str] = []
        # A refused request (the 429 of a spent quota, a 404) is logged as a console error too; the tests check
        # those answers themselves, so only the page's own script errors count here.
        self.page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
                     and self.console_errors.append(msg.text))
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def outside(self) -> list[str]:
        return [url for url in self.requests if not self.live_app.owns(url) and urlsplit(url).netloc not in self.allow]

    def screenshot(self, name: str, *, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def visit(browser, live_app, transactional_db):
    """Open browser contexts for a test; afterwards, none of their pages may have asked another host for anything
    or thrown a script error."""
    visits: list[Visit] = []

    def open_visit(**options) -> Visit:
        visits.append(Visit(browser, live_app, **options))
        return visits[-1]

    yield open_visit
    for each in visits:
        each.context.close()
    assert [url for each in visits for url in each.outside()] == []
    assert [error for each in visits for error in each.console_errors] == []


@pytest.fixture(scope="session")
def room_photo(tmp_path_factory) -> Path:
    """A fixture room photo, shrunk so the tiny pipeline stays quick."""
    from PIL import Image

    path = tmp_path_factory.mktemp("photos") / "living-room.jpg"
    image = Image.open(FIXTURES / "home-theater-render.jpg").convert("RGB")
    image.thumbnail((800, 800))
    image.save(path, "JPEG", quality=90)
    return path
