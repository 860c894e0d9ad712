"""`make run`: migrate, ensure the demo account, then serve web (ASGI) and a Dramatiq worker until Ctrl-C."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import django

from config import embedded_redis
from config.serve import uvicorn_command

DEMO_EMAIL = "demo@restyle.local"
DEMO_PASSWORD = "restyle-demo-2026"


def prepare() -> None:
    """Migrate, and in development make the demo account once.

    Only when it does not exist yet: it used to get its password set back on every start, so a changed
    password (or an account someone had taken over on a reachable dev server) reverted to the published one.
    Any other DJANGO_ENV gets no demo account at all.
    """
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if settings.ENV != "development":
        return
    from accounts.models import User

    if not User.objects.filter(email=DEMO_EMAIL).exists():
        User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD)
    User.objects.filter(email=DEMO_EMAIL).update(email_verified=True)  # on the free plan from the start


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    embedded_redis.ensure_configured()  # before the migration and the children: importing settings starts nothing
    prepare()
    port = os.environ.get("PORT", "8000")
    commands = [
        web_command(port),
        # No --queues: the worker consumes every declared queue, gpu-priority before gpu (designs/queues.py).
        [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1",
         "--worker-shutdown-timeout", "10000"],
    ]
    print(f"Restyle is at http://127.0.0.1:{port}/  (demo account: {DEMO_EMAIL} / {DEMO_PASSWORD})", flush=True)
    print("Ctrl-C stops the web server, the worker and the embedded Redis.", flush=True)
    children = [subprocess.Popen(commands[0]), subprocess.Popen(commands[1], env=worker_env(settings.VAR_DIR))]
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
        if settings.EMBEDDED_REDIS_DIR is not None:
            _stop_embedded_redis(settings.REDIS_URL)
    return 0


def worker_env(var_dir) -> dict[str, str]:
    """The worker's metrics (http://127.0.0.1:9191/metrics) add up its processes through an emptied folder."""
    folder = os.path.join(var_dir, "prometheus-worker")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return {**os.environ, "PROMETHEUS_MULTIPROC_DIR": folder}


def web_command(port: str) -> list[str]:
    """The web server as `make run` starts it (the end-to-end tests start exactly this)."""
    return uvicorn_command("--host", "127.0.0.1", "--port", port, "--log-level", "warning",
                           "--timeout-graceful-shutdown", "5")


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
