"""The worker's exporter adds up every worker process (prometheus_client's multiprocess mode), and a stopped
worker leaves the live sum: `manage.py rundramatiq` with two processes, as the image runs it."""
from __future__ import annotations

import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

from designs.actors import reap_designs
from tests.drills.conftest import PYTHON, WorkerProcess, stack  # noqa: F401  (the drills' worker fixture)
from tests.servers import free_port


class _TwoProcesses(WorkerProcess):
    def command(self) -> list[str]:
        return [PYTHON, "manage.py", "rundramatiq", "--processes", "2", "--threads", "2",
                "--worker-shutdown-timeout", "10000"]  # as config.run: a loaded machine stops slowly


def _samples(url: str) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def _until(url: str, check, worker, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    samples: dict = {}
    while time.monotonic() < deadline:
        try:
            samples = _samples(url)
        except (urllib.error.URLError, ConnectionError):
            samples = {}
        if samples and check(samples):
            return samples
        time.sleep(0.5)
    raise AssertionError(f"never true at {url}: {sorted(samples.items())[:40]}\n{worker.log_tail()}")


def test_it_adds_up_every_worker_process(stack, tmp_path):  # noqa: F811
    port = free_port()
    env = {**stack.env, "WORKER_METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    worker = _TwoProcesses(env, stack.workdir / "worker.log")
    stack.workers.append(worker.start())
    url = f"http://127.0.0.1:{port}/metrics"
    threads = ("restyle_worker_threads", ())
    _until(url, lambda samples: samples.get(threads) == 4, worker)  # 2 processes × 2 threads

    for _ in range(6):
        reap_designs.send()  # quick messages: whichever process takes each, the exporter counts them all
    counted = ("dramatiq_messages_total", (("actor_name", "reap_designs"), ("queue_name", "default")))
    _until(url, lambda samples: samples.get(counted) == 6, worker)
    files = {path.name.rsplit("_", 1)[-1] for path in tmp_path.glob("counter_*.db")}
    assert len(files) == 2, files  # each worker process wrote its own samples

    stack.stop()  # SIGTERM, as a deploy stops it
    assert worker.process.returncode is not None
    # The live gauges of every process are gone from the folder (the exposition server's may take a moment after
    # the main process); the counters stay, for the next start to empty the folder.
    deadline = time.monotonic() + 15
    while list(tmp_path.glob("gauge_livesum_*.db")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list(tmp_path.glob("gauge_livesum_*.db")) == [], worker.log_tail()
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
