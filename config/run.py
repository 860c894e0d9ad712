"""`make run`: migrate, ensure the demo account, then serve web (ASGI) and a Dramatiq worker until Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

import django

DEMO_EMAIL = "demo@restyle.local"
DEMO_PASSWORD = "restyle-demo-2026"


def prepare() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from accounts.models import User

    user = User.objects.filter(email=DEMO_EMAIL).first() or User.objects.create_user(DEMO_EMAIL)
    user.set_password(DEMO_PASSWORD)
    user.email_verified = True  # the demo account is on the free plan from the start
    user.save()


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    prepare()
    port = os.environ.get("PORT", "8000")
    commands = [
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", port,
         "--log-level", "warning", "--timeout-graceful-shutdown", "5"],
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1",
         "--worker-shutdown-timeout", "10000"],
    ]
    print(f"Restyle is at http://127.0.0.1:{port}/  (demo account: {DEMO_EMAIL} / {DEMO_PASSWORD})", flush=True)
    print("Ctrl-C stops the web server, the worker and the embedded Redis.", flush=True)
    children = [subprocess.Popen(command) for command in commands]
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while all(child.poll() is None for child in children):
            try:
                children[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        _stop(children)
        if not os.environ.get("REDIS_URL"):
            _stop_embedded_redis(settings.REDIS_URL)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _stop(children: list[subprocess.Popen]) -> None:
    # Ctrl-C reached the children too (same process group); a second one must not cut the clean-up short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()  # a worker stuck in a design: the reaper hands the design back on the next start
            child.wait()


def _stop_embedded_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url).shutdown(nosave=False)
    except redis.ConnectionError:
        pass  # shutting down closes the connection: that is the success case


if __name__ == "__main__":
    sys.exit(main())
