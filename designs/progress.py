"""Publishing a design's events to its Channels group. Postgres is the truth; these are hints."""
from __future__ import annotations

import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from designs.models import Design

log = logging.getLogger(__name__)


def group_name(design_id) -> str:
    return f"design.{design_id}"


def publish(design_id, event: dict) -> None:
    """Send one event to everyone watching the design; a Redis hiccup never fails the design."""
    try:
        async_to_sync(get_channel_layer().group_send)(group_name(design_id), {"type": "design.event", "event": event})
    except Exception:
        log.warning("could not publish event %s for design %s", event.get("seq"), design_id, exc_info=True)


def progress_event(design: Design, preview_url: str | None = None) -> dict:
    event = {
        "type": "progress", "id": str(design.id), "status": design.status, "progress": round(design.progress, 4),
        "message": design.message, "seq": design.seq, "timestamp": time.time(),
    }
    if preview_url:
        event["preview_url"] = preview_url
    return event


def publish_state(design: Design, *, event_type: str) -> None:
    """The final (or snapshot) event: the full state."""
    from designs.state import design_state

    design.refresh_from_db()
    publish(design.id, {"type": event_type, "timestamp": time.time(), **design_state(design)})
