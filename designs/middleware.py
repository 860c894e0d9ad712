"""A Dramatiq middleware that asks for a reap every REAPER_INTERVAL_SECONDS while a worker runs.

A timer in each worker process (not a self-rescheduling message) so that a Redis restart, which can
lose queued messages, never stops the reaper.
"""
from __future__ import annotations

import logging
import threading

import dramatiq

log = logging.getLogger(__name__)


class ReaperTimer(dramatiq.Middleware):
    def __init__(self) -> None:
        self.stop = threading.Event()

    def after_worker_boot(self, broker, worker) -> None:
        threading.Thread(target=self._loop, name="reaper-timer", daemon=True).start()

    def before_worker_shutdown(self, broker, worker) -> None:
        self.stop.set()

    def _loop(self) -> None:
        from django.conf import settings

        from designs.actors import reap_designs

        while not self.stop.wait(settings.REAPER_INTERVAL_SECONDS):
            try:
                reap_designs.send()
            except Exception:  # Redis down for a moment: try again next interval
                log.warning("could not schedule the reaper", exc_info=True)
