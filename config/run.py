"""`make run`: migrate, ensure the demo account, then serve web (ASGI) and a Dramatiq worker until Ctrl-C.

It loads .env first (config/dotenv.py), listens on HOST:PORT (default 127.0.0.1:8000), prints where to go only
once the server answers, and exits non-zero as soon as the web server, the worker or the embedded Redis stops
on its own, after stopping the others.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import django

from config import embedded_redis
from config.dotenv import DOTENV, load_dotenv
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


def address(dotenv: Path = DOTENV) -> tuple[str, str]:
    """Load .env, then (HOST, PORT): where the web server listens. Empty means unset, as for every setting."""
    load_dotenv(dotenv)
    return os.environ.get("HOST") or "127.0.0.1", os.environ.get("PORT") or "8000"


def site_url(host: str, port: str) -> str:
    """The address to open in a browser: an any-address (0.0.0.0, ::) is reached on this machine as localhost."""
    shown = "localhost" if host in ("0.0.0.0", "::", "") else host
    return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"


def main() -> int:
    host, port = address()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings

    embedded_redis.ensure_configured()  # before the migration and the children: importing settings starts nothing
    print("Migrating the database...", flush=True)
    prepare()
    commands = {
        "web server": web_command(port, host),
        # No --queues: the worker consumes every declared queue, gpu-priority before gpu (designs/queues.py).
        "worker": [sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1",
                   "--worker-shutdown-timeout", "10000"],
    }
    print(f"Starting the web server on {host}:{port} and the worker...", flush=True)
    children = {"web server": start(commands["web server"]),
                "worker": start(commands["worker"], env=worker_env(settings.VAR_DIR))}
    own_redis = settings.REDIS_URL if settings.EMBEDDED_REDIS_DIR is not None else None  # ours to watch and stop
    # Each stops everything cleanly: SIGINT set here too, since a shell starts background jobs with it ignored;
    # SIGHUP, a closed terminal, which no longer reaches the children (their own process groups).
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    code = 0
    try:
        code = supervise(children, site_url(host, port), lambda: banner(site_url(host, port), settings.ENV),
                         redis_url=own_redis)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(list(children.values()))
        if own_redis:
            _stop_embedded_redis(own_redis)
    return code


def banner(url: str, env: str) -> None:
    print(f"\nRestyle is at {url}", flush=True)
    if env == "development":
        print(f"  demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}", flush=True)
    print(f"  admin: {url}admin/ with an account of your own: `make superuser` in another terminal", flush=True)
    print("Ctrl-C stops the web server, the worker and the embedded Redis.", flush=True)


def supervise(children: dict[str, subprocess.Popen], url: str, on_ready, *, redis_url: str | None = None,
              interval: float = 0.5) -> int:
    """Wait until a child stops; 1 then (or its own non-zero code). `on_ready` runs once `url` answers HTTP.

    Any answer counts (a 404 or 500 is still the server up); a refused connection or a timeout does not. The
    embedded Redis is no child (it daemonizes, shared with manage.py commands): it is pinged instead.
    """
    ready = False
    redis_failures = 0
    while True:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"\nThe {name} stopped (exit code {child.returncode}); stopping the rest.", file=sys.stderr,
                      flush=True)
                return child.returncode or 1
        if redis_url:
            redis_failures = 0 if _redis_answers(redis_url) else redis_failures + 1
            if redis_failures >= 3:
                print(f"\nThe embedded Redis stopped answering ({redis_url}); stopping the rest.", file=sys.stderr,
                      flush=True)
                return 1
        if not ready and _answers(url):
            ready = True
            on_ready()
        time.sleep(interval)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}health/", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # an HTTP answer, whatever its status
    except (OSError, ValueError):
        return False


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


def worker_env(var_dir) -> dict[str, str]:
    """The worker's metrics (http://127.0.0.1:9191/metrics) add up its processes through an emptied folder."""
    folder = os.path.join(var_dir, "prometheus-worker")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return {**os.environ, "PROMETHEUS_MULTIPROC_DIR": folder}


def web_command(port: str, host: str = "127.0.0.1") -> list[str]:
    """The web server as `make run` starts it (the end-to-end tests start exactly this)."""
    return uvicorn_command("--host", host, "--port", port, "--log-level", "warning",
                           "--timeout-graceful-shutdown", "5")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def start(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """A child in a process group of its own, with whatever processes it starts (Dramatiq's worker and metrics
    processes): Ctrl-C reaches it through us, and a stop that times out can take the whole group."""
    return subprocess.Popen(command, env=env, process_group=0)


def _stop(children: list[subprocess.Popen], timeout: float = 15) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    for child in children:
        try:
            child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # A worker stuck in a design, or on a Redis that is gone: its whole group, or Dramatiq's processes
            # would outlive it. The reaper hands the design back on the next start.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _stop_embedded_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url).shutdown(nosave=False)
    except redis.ConnectionError:
        pass  # shutting down closes the connection: that is the success case


if __name__ == "__main__":
    sys.exit(main())
