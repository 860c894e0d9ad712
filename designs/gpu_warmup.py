"""A Dramatiq middleware that prepares the local GPU pipeline as a worker process boots.

Loading the weights, compiling the graphs and warming every shape bucket take from seconds to minutes
on a GPU; done here, in a thread beside the worker's own, the first design does not wait for them (a
design that arrives meanwhile waits on the same once-per-process preparation instead of repeating it).
"""
from __future__ import annotations

import logging
import threading

import dramatiq

log = logging.getLogger(__name__)


class GpuWarmup(dramatiq.Middleware):
    def after_worker_boot(self, broker, worker) -> None:
        from django.conf import settings

        from designs.engines import engines_configured

        if "local" in engines_configured():
            threading.Thread(target=self._prepare, args=(settings.MODEL_PROFILE or None,), name="gpu-warmup",
                             daemon=True).start()

    def _prepare(self, profile: str | None) -> None:
        from gpu.backends.local import warm_at_boot

        try:
            if warm_at_boot(profile):
                log.info("GPU pipeline compiled and warmed")
        except Exception:  # the first design loads the models again and reports the error properly
            log.warning("could not prepare the GPU pipeline at boot", exc_info=True)
