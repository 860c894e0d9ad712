"""The history's filters, shared by the API and the dashboard: known values only, and a bounded number.

A filter is user input that reaches SQL: `?status=a,a,a,…` with a hundred thousand values once became one
`IN (…)` with as many parameters. Each status may appear once, each value must exist, and the raw text is short.
"""
from __future__ import annotations

from designs.models import Status
from gpu.styles import STYLES

MAX_FILTER_CHARS = 200  # every status once, comma-separated, is about 90


class InvalidFilter(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def status_filter_values(value: str) -> list[str]:
    """`queued,analyzing` → ["queued", "analyzing"]; unknown, repeated past the list, or too long → InvalidFilter."""
    if len(value) > MAX_FILTER_CHARS:
        raise InvalidFilter("status", f"The status filter is longer than {MAX_FILTER_CHARS} characters.")
    values = list(dict.fromkeys(item.strip() for item in value.split(",") if item.strip()))
    unknown = [item for item in values if item not in Status.values]
    if unknown:
        raise InvalidFilter("status", f"Unknown status {unknown[0][:40]!r}: use one or more of "
                                      f"{', '.join(Status.values)}, comma-separated.")
    return values


def style_filter_value(value: str) -> str:
    if value and value not in STYLES:
        raise InvalidFilter("style", f"Unknown style {value[:40]!r}: use one of the codes /api/v1/styles/ lists.")
    return value
