"""A Dramatiq middleware that reaps every REAPER_INTERVAL_SECONDS while a worker runs.

A timer in each worker process (not a self-rescheduling message) so that a Redis restart, which can
lose queued messages, never stops the reaper. The timer reaps in its own thread rather than sending a
message: a message waits behind the designs when every worker thread is busy with one, and a drill saw
a dead worker's design kept past its deadline for as long as the designs around it ran.
"""
from __future__ import annotations

import logging
import threading

import dramatiq
from django.db import close_old_connections

log = logging.getLogger(__name__)


class ReaperTimer(dramatiq.Middleware):
    def __init__(self) -> None:
        self.stop = threading.Event()

    def after_worker_boot(self, broker, worker) -> None:
        # A fresh event per boot: the broker keeps this middleware across workers (a stop, then a start, in one
        # process), and a timer left from the last worker still sees its own event set and ends.
        self.stop = threading.Event()
        threading.Thread(target=self._loop, args=(self.stop,), name="reaper-timer", daemon=True).start()

    def before_worker_shutdown(self, broker, worker) -> None:
        from designs.worker import threads_stopping

        self.stop.set()
        threads_stopping(thread.ident for thread in worker.workers)

    def after_worker_shutdown(self, broker, worker) -> None:
        from designs.worker import threads_stopped

        threads_stopped(thread.ident for thread in worker.workers)

    def _loop(self, stop: threading.Event) -> None:
        from django.conf import settings

        from designs.actors import reap_designs

        while not stop.wait(settings.REAPER_INTERVAL_SECONDS):
            close_old_connections()  # as DbConnectionsMiddleware does around a message: none broken, none stale
            try:
                reap_designs.fn()  # the actor's own body: the lock lets one worker through per interval
            except Exception:  # the database or Redis down for a moment: try again next interval
                log.warning("could not reap", exc_info=True)
            finally:
                close_old_connections()
