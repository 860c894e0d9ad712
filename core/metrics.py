"""Recording a metric where a change happens, without letting the metric touch the change.

Used by each app's own counters (designs/metrics.py, billing/metrics.py): a sample is recorded after the
transaction that made the change commits (a rolled-back change counts nothing) and never raises into the
code it observes.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)


def record_after_commit(record: Callable[[], None]) -> None:
    def safely() -> None:
        try:
            record()
        except Exception:  # a metric must never fail the change it describes
            log.warning("could not record a metric", exc_info=True)

    transaction.on_commit(safely)
