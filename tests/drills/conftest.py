"""Failure drills: the real worker process, Redis, Postgres and storage, with one of them failing mid-design.

Each drill gets its own Redis (so it can be killed and started again on the same port), a worker started
as production starts it (`manage.py rundramatiq`, a separate process group, so kill -9 takes all of it) and
short timings: a 3 s lease, a reaper every second. The test process submits through the real API and reads
Postgres, the truth, for its verdict.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import dramatiq
import pytest
from django.db import connection
from django.test import override_settings
from dramatiq.brokers.redis import RedisBroker
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tokens import token_issue
from billing.models import DailyUsage, GpuCharge, UsageEntry
from billing.selectors import plan_get
from billing.services import subscription_change
from designs.models import FINISHED, Design, DesignResult, Status
from tests.designs.conftest import photo_bytes, upload
from tests.servers import Process, RedisServer

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable

LEASE_S = 3
REAPER_S = 1
REQUEUE_AFTER_S = 5
MAX_ATTEMPTS = 3
# More than one, as in production (docker-entrypoint.sh): a thread busy with a design must not hide what
# the reaper, which runs on another thread, does meanwhile.
THREADS = "2"
# Generous: the local pipeline takes tens of seconds per design on a busy CI machine. A drill that cares
# about the deadline itself sets its own.
DEADLINE_S = int(os.environ.get("DRILL_DEADLINE_SECONDS", "300"))


def pytest_configure(config) -> None:
    # Also listed in pyproject.toml; registered here too so the drills run under --strict-markers either way.
    config.addinivalue_line("markers", "drill: failure drills on the real stack (slow): make drills")


class WorkerProcess:
    """A Dramatiq worker as production runs it, pointed at the test database and the drill's Redis."""

    def __init__(self, env: dict[str, str], log: Path, *, fake_modal: bool = False) -> None:
        self.env = env
        self.log = log
        self.fake_modal = fake_modal
        self.process = Process(self.command(), name="worker", env=env, log=log, stop_timeout=20)

    def command(self) -> list[str]:
        if not self.fake_modal:
            return [PYTHON, "manage.py", "rundramatiq", "--processes", "1", "--threads", THREADS,
                    "--worker-shutdown-timeout", "2000"]
        # What rundramatiq execs, plus the module that fakes Modal's SDK in the worker processes.
        return [str(Path(PYTHON).with_name("dramatiq")), "--path", ".", "--processes", "1", "--threads", THREADS,
                "--worker-shutdown-timeout", "2000", "django_dramatiq.setup", "django_dramatiq.tasks",
                "designs.actors", "tests.drills.modal_edge"]

    def start(self) -> WorkerProcess:
        self.process.start()
        return self

    def kill(self) -> None:
        """kill -9, the whole process group: the main process and its worker processes, mid-instruction."""
        self.process.kill()

    def stop(self) -> None:
        self.process.stop()

    def log_tail(self, lines: int = 60) -> str:
        return self.process.log_tail(lines)


class DrillStack:
    """The drill's knobs: its Redis, the worker's environment, and starting workers."""

    def __init__(self, redis_server: RedisServer, workdir: Path) -> None:
        self.redis = redis_server
        self.workdir = workdir
        self.workers: list[WorkerProcess] = []
        self.modal_calls = workdir / "modal-calls.log"
        self.env = self._base_env()

    def _base_env(self) -> dict[str, str]:
        from django.conf import settings

        db = connection.settings_dict
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
        return {
            **env,
            # config.settings, as production: config.settings_test gives each process its own media folder.
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "VAR_DIR": str(self.workdir / "var"),
            "DATABASE_URL": self.database_url(db["PORT"]),
            "REDIS_URL": self.redis.url,
            "STORAGE_BACKEND": "local",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "MODEL_PROFILE": "tiny",
            "GPU_BACKEND": "local",
            "DESIGN_LEASE_SECONDS": str(LEASE_S),
            "REAPER_INTERVAL_SECONDS": str(REAPER_S),
            "DESIGN_REQUEUE_AFTER_SECONDS": str(REQUEUE_AFTER_S),
            "DESIGN_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
            "DESIGN_DEADLINE_SECONDS": str(DEADLINE_S),
            "DRILL_MODAL_CALLS": str(self.modal_calls),
            "PYTHONUNBUFFERED": "1",
        }

    @staticmethod
    def database_url(port) -> str:
        db = connection.settings_dict
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgresql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{port}/{db['NAME']}"

    def worker(self, *, fake_modal: bool = False, **env: str) -> WorkerProcess:
        """A started worker; `fake_modal` runs the Modal backend against tests/drills/modal_edge.py."""
        if fake_modal:
            env = {"GPU_BACKEND": "modal", **env}
        worker = WorkerProcess({**self.env, **env}, self.workdir / "worker.log", fake_modal=fake_modal)
        self.workers.append(worker.start())
        return worker

    def remote_calls(self) -> int:
        if not self.modal_calls.exists():
            return 0
        return sum(1 for line in self.modal_calls.read_text().splitlines() if line.startswith("call"))

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


@pytest.fixture
def stack(transactional_db, request):
    """Its own Redis for this drill, for the worker and for this process's broker alike."""
    server = RedisServer().start()
    broker = dramatiq.get_broker()
    # This process enqueues (design_create's on_commit) through the broker Django set up at start-up:
    # point its client at the drill's Redis, and back afterwards.
    saved = broker.client, broker.scripts
    drill_broker = RedisBroker(url=server.url)
    broker.client, broker.scripts = drill_broker.client, drill_broker.scripts
    workdir = Path(tempfile.mkdtemp(prefix="restyle-drill-"))
    drill = DrillStack(server, workdir)
    try:
        with override_settings(DESIGN_DEADLINE_SECONDS=DEADLINE_S, RATELIMIT_ENABLE=False,
                               GLOBAL_DESIGNS_PER_MINUTE=0, GLOBAL_DESIGNS_PER_HOUR=0):
            yield drill
    finally:
        drill.stop()
        if drill.workers:
            # Shown by pytest when the drill failed: what the worker saw.
            print(f"\n--- worker log ({workdir / 'worker.log'}):\n{drill.workers[0].log_tail(400)}")
        broker.client, broker.scripts = saved
        drill_broker.client.close()
        server.kill()
        server.remove()


@pytest.fixture
def staff_api(transactional_db) -> APIClient:
    """A staff-plan user (4 variations, 100 a day) with an API token."""
    user = User.objects.create_user("drill@example.com", "a long drill pass phrase")
    subscription_change(user=user, plan=plan_get(code="staff"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user, name='drill')}")
    client.user = user
    return client


def submit_design(client: APIClient, *, variations: int = 1, resolution: int = 512, long_side: int = 640) -> str:
    response = client.post("/api/v1/designs/", {
        "style": "japandi", "image": upload(photo_bytes(long_side=long_side)), "variations": str(variations),
        "resolution": str(resolution),
    }, format="multipart")
    assert response.status_code == 202, response.content
    return response.json()["id"]


def wait_for_status(design_id: str, statuses, *, timeout: float, poll: float = 0.05) -> Design:
    """Poll Postgres until the design reaches one of `statuses`."""
    deadline = time.monotonic() + timeout
    while True:
        design = Design.objects.get(pk=design_id)
        if design.status in statuses:
            return design
        if design.status in FINISHED:  # it will not change any more: say so now rather than at the timeout
            raise AssertionError(f"design {design_id} ended {design.status} ({design.error_code}) "
                                 f"before reaching {list(statuses)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"design {design_id} still {design.status} ({design.progress:.2f}, "
                                 f"attempt {design.attempts}) after {timeout:.0f} s")
        time.sleep(poll)


def wait_until_settled(design_id: str, *, timeout: float = DEADLINE_S + 30) -> Design:
    return wait_for_status(design_id, FINISHED, timeout=timeout, poll=0.2)


def unfinished_charges(design: Design) -> list[int]:
    """The attempts charged for GPU time that made no result."""
    return list(GpuCharge.objects.filter(design=design, completed=False).order_by("attempt")
                .values_list("attempt", flat=True))


def ledger(design: Design) -> Counter:
    return Counter(UsageEntry.objects.filter(design=design).values_list("kind", flat=True))


def assert_completed_once(design: Design) -> None:
    """Completed, with one set of results, charged once, never refunded."""
    design.refresh_from_db()
    assert design.status == Status.COMPLETED, (design.status, design.error_code, design.error_message)
    results = DesignResult.objects.filter(design=design)
    assert results.count() == design.variations
    assert [r.index for r in results] == list(range(design.variations))
    assert ledger(design) == Counter({"reserve": 1})
    # The GPU run that made the results is charged once; earlier attempts may add charges of their own.
    assert list(GpuCharge.objects.filter(design=design, completed=True).values_list("attempt", flat=True)) == [
        design.attempts]
    assert design.finished_at <= design.deadline_at


def assert_failed_and_refunded(design: Design, *, code: str | None = None, check_deadline: bool = True) -> None:
    """Failed, nothing stored as a result, its reservation given back exactly once."""
    design.refresh_from_db()
    assert design.status == Status.FAILED, design.status
    if code is not None:
        assert design.error_code == code, (design.error_code, design.error_message)
    assert not DesignResult.objects.filter(design=design).exists()
    assert ledger(design) == Counter({"reserve": 1, "refund": 1})
    assert not GpuCharge.objects.filter(design=design, completed=True).exists()
    if check_deadline:  # the reaper's deadline, plus a reaper interval and some slack for a busy machine
        assert design.finished_at <= design.deadline_at + timedelta(seconds=REAPER_S + 5)


def assert_books_balance(user) -> None:
    """Nothing stuck, nothing charged twice: every design final, and today's counter matches the ledger."""
    stuck = Design.objects.filter(owner=user).exclude(status__in=FINISHED)
    assert not stuck.exists(), list(stuck.values_list("pk", "status"))
    entries = UsageEntry.objects.filter(user=user)
    reserved = sum(e.units for e in entries if e.kind == "reserve")
    refunded = sum(e.units for e in entries if e.kind == "refund")
    used = sum(DailyUsage.objects.filter(user=user).values_list("used", flat=True))
    assert used == reserved - refunded
    expected = sum(d.variations for d in Design.objects.filter(owner=user, status=Status.COMPLETED))
    assert used == expected
