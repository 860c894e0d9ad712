"""Dramatiq actors of the accounts app: thin wrappers that take ids (found by django_dramatiq's autodiscovery)."""
from __future__ import annotations

import dramatiq

from accounts import export


# The default queue: an export reads storage and writes a ZIP, it needs no GPU and must not wait behind designs.
# No retries: a failed export is marked failed and the person asks again (the rate limit counts the first ask).
@dramatiq.actor(queue_name="default", max_retries=0, time_limit=30 * 60_000)
def build_data_export(export_id: str) -> None:
    export.export_build(export_id)
