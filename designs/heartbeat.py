"""Worker heartbeats: each worker process says, in Redis, that it is alive and what it is running.

A Dramatiq middleware in every worker process writes one key, `restyle:worker:<host>:<pid>`, every
HEARTBEAT_INTERVAL_SECONDS and whenever it starts or ends a message, with a TTL of three intervals: a process
that dies (or hangs so badly that its timer thread stops) disappears within that time. The value is JSON:

    {"name": "host:pid", "host", "pid", "threads", "started_at", "beat_at",
     "running": [{"actor", "queue", "design_id", "since"}]}

The operations page, the "no worker" alert and anything else that wants to know (metrics) read it with
workers_alive().
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time

import dramatiq
from django.conf import settings

from designs.queues import GPU_QUEUES

log = logging.getLogger(__name__)
PREFIX = "restyle:worker:"


def ttl_seconds() -> int:
    return max(1, int(settings.HEARTBEAT_INTERVAL_SECONDS * 3))


class Heartbeat(dramatiq.Middleware):
    def __init__(self) -> None:
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.running: dict[str, dict] = {}  # message id → what it is
        self.broker = None
        self.threads = 0
        self.started_at = time.time()
        self.name = f"{socket.gethostname()}:{os.getpid()}"  # as designs.worker.worker_name() names attempts

    def after_worker_boot(self, broker, worker) -> None:
        self.broker, self.threads, self.started_at = broker, worker.worker_threads, time.time()
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.stop.clear()
        threading.Thread(target=self._loop, name="heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker, worker) -> None:
        self.stop.set()
        try:
            broker.client.delete(PREFIX + self.name)  # a clean stop leaves at once, not a TTL later
        except Exception:
            log.warning("could not remove the heartbeat of %s", self.name, exc_info=True)

    def before_process_message(self, broker, message) -> None:
        design_id = message.args[0] if message.queue_name in GPU_QUEUES and message.args else None
        with self.lock:
            self.running[message.message_id] = {"actor": message.actor_name, "queue": message.queue_name,
                                                "design_id": design_id, "since": time.time()}
        self._beat_quietly()

    def after_process_message(self, broker, message, *, result=None, exception=None) -> None:
        with self.lock:
            self.running.pop(message.message_id, None)
        self._beat_quietly()

    after_skip_message = after_process_message

    def _loop(self) -> None:
        while True:
            self._beat_quietly()
            if self.stop.wait(settings.HEARTBEAT_INTERVAL_SECONDS):
                return

    def _beat_quietly(self) -> None:
        if self.broker is None or self.stop.is_set():
            return
        try:
            self.broker.client.set(PREFIX + self.name, json.dumps(self.state()), ex=ttl_seconds())
        except Exception:  # Redis away for a moment: the next beat says it again
            log.warning("heartbeat of %s not written", self.name, exc_info=True)

    def state(self) -> dict:
        host, _, pid = self.name.rpartition(":")
        with self.lock:
            running = sorted(self.running.values(), key=lambda item: item["since"])
        return {"name": self.name, "host": host, "pid": int(pid), "threads": self.threads,
                "started_at": self.started_at, "beat_at": time.time(), "running": running}


def workers_alive(client=None) -> list[dict]:
    """Every worker process whose heartbeat has not expired, by name."""
    client = client or dramatiq.get_broker().client
    keys = sorted(client.scan_iter(match=PREFIX + "*", count=500))
    values = client.mget(keys) if keys else []
    workers = []
    for value in values:
        if value is None:  # expired between the scan and the read
            continue
        try:
            workers.append(json.loads(value))
        except ValueError:
            continue
    return workers
