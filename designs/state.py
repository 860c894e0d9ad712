"""A design's state as the API, the WebSocket and the dashboard show it (DESIGN.md §4)."""
from __future__ import annotations

from django.core.cache import cache
from django.db.models import Avg, DurationField, ExpressionWrapper, F
from django.utils import timezone

from designs.files import file_url
from designs.layout import layout_block
from designs.models import FINISHED, Design, Status

RECENT = 20


def design_state(design: Design) -> dict:
    return {
        "id": str(design.id),
        "status": design.status,
        "progress": round(design.progress, 4),
        "message": design.message,
        "seq": design.seq,
        "estimated_time_remaining": _remaining(design),
        "mode": design.mode,
        "style": design.style,
        "room_type": design.room_type or design.detected_room_type or None,
        "preferences": design.preferences,
        "created_at": _iso(design.created_at),
        "started_at": _iso(design.started_at),
        "finished_at": _iso(design.finished_at),
        "original_url": file_url(design.original.name),
        "mask_url": file_url(design.mask.name) if design.mask.name else None,
        "style_reference_url": file_url(design.reference.name) if design.reference.name else None,
        "results": [
            {
                "url": file_url(result.image.name),
                "thumbnail_url": file_url(result.thumbnail.name),
                "width": result.width,
                "height": result.height,
                "seed": result.seed,
                "quality_score": result.quality_score,
                "layout": layout_block(result.quality_score, result.layout_kept),
            }
            for result in design.results.all()
        ],
        "metadata": design.metadata,
        "error": {"code": design.error_code, "message": design.error_message} if design.error_code else None,
        "upscales": upscales_state(design),
    }


def upscales_state(design: Design) -> list[dict]:
    from designs.upscales import upscales_state as state  # it imports billing, which the state needs not load

    return state(design) if design.status == Status.COMPLETED else []


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def recent_processing_seconds() -> float | None:
    """Mean start-to-finish time of recent completed designs; None before there is any history.

    Cached briefly: every progress event renders the state, and the mean moves slowly.
    """
    value = cache.get(_MEAN_KEY)
    if value is None:
        value = _measure_processing_seconds()
        cache.set(_MEAN_KEY, value, 15)
    return value if value >= 0 else None


_MEAN_KEY = "designs:mean-processing-seconds"


def _measure_processing_seconds() -> float:
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    recent = (
        Design.objects.filter(status=Status.COMPLETED, started_at__isnull=False)
        .order_by("-finished_at")
        .values_list("pk", flat=True)[:RECENT]
    )
    mean = Design.objects.filter(pk__in=list(recent)).aggregate(mean=Avg(duration))["mean"]
    return mean.total_seconds() if mean else -1.0


def estimated_time(design: Design) -> float | None:
    """Seconds until done: measured processing time × (designs queued ahead + this one)."""
    per_design = recent_processing_seconds()
    if per_design is None:
        return None
    ahead = Design.objects.filter(status=Status.QUEUED, created_at__lt=design.created_at).count()
    running = Design.objects.exclude(status__in=[*FINISHED, Status.QUEUED]).exists()
    return round(per_design * (ahead + 1 + (0.5 if running else 0)), 1)


def _remaining(design: Design) -> float | None:
    if design.is_finished:
        return 0
    per_design = recent_processing_seconds()
    if per_design is None:
        return None
    if design.status == Status.QUEUED or not design.started_at:
        return estimated_time(design)
    elapsed = (timezone.now() - design.started_at).total_seconds()
    return round(max(per_design * (1 - design.progress), per_design - elapsed, 0), 1)
