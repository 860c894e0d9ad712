"""The design endpoints' OpenAPI components: every field of a design's state typed, so generated clients
can read it (designs/state.py builds the state; these serializers only document it, nothing renders
through them)."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from designs.models import Mode, Status, UpscaleStatus

_URL_HELP = ("Signed and expiring (FILE_URL_MAX_AGE); an absolute URL with S3 storage, a path on this server "
             "with local storage. Fetch the design again for fresh ones.")


class DesignPreferencesSerializer(serializers.Serializer):
    """The choices the design was made with; only those given are present."""

    keep_furniture = serializers.BooleanField(required=False)
    color_palette = serializers.ListField(child=serializers.CharField(), required=False, help_text="Hex colours.")
    wall_color = serializers.CharField(required=False)
    flooring = serializers.CharField(required=False)
    prompt = serializers.CharField(required=False)
    creativity = serializers.FloatField(required=False, min_value=0, max_value=1)
    seed = serializers.IntegerField(required=False)
    objects = serializers.ListField(
        child=serializers.DictField(), required=False,
        help_text="Object-by-object choices: {id, label, box, frame, action} each, the box in the pixels of "
                  "frame (the source design's result size).")


class LayoutSerializer(serializers.Serializer):
    """The layout guarantee (designs/layout.py): whether this result kept the room's layout, in plain words."""

    score = serializers.FloatField(help_text="The calibrated layout score, 0–1 (the same as quality_score).")
    kept = serializers.BooleanField(allow_null=True, help_text=(
        "False: still below the threshold after one redo with a firmer hold on the structure; delivered marked "
        "and its image given back to the day's quota. Null: not measured."))
    refunded = serializers.BooleanField(help_text="This image was given back to the day's quota.")
    meaning = serializers.CharField(help_text="What the verdict means, for people.")


class DesignResultSerializer(serializers.Serializer):
    url = serializers.CharField(help_text=_URL_HELP)
    thumbnail_url = serializers.CharField(help_text=_URL_HELP)
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    seed = serializers.IntegerField()
    quality_score = serializers.FloatField(help_text="Layout preservation, 0–1.")
    layout = LayoutSerializer()


class FurnitureSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text=(
        "What `objects` on a new design from this one names the object by (designs made before ids were recorded "
        "have none: their position in the list is their id)."))
    label = serializers.CharField()
    box = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4,
                                help_text="x1, y1, x2, y2 in result pixels.")
    confidence = serializers.FloatField()


class DesignMetadataSerializer(serializers.Serializer):
    """Filled in when the design completes; an empty object before."""

    processing_time = serializers.FloatField(required=False, help_text="Seconds from start to finish.")
    timings = serializers.DictField(child=serializers.FloatField(), required=False, help_text="Seconds per stage.")
    detected_room_type = serializers.CharField(required=False, allow_null=True)
    furniture = FurnitureSerializer(many=True, required=False)
    quality = serializers.DictField(required=False, help_text="Per-variation scores and whether a retry happened.")
    gpu_seconds = serializers.FloatField(required=False)
    gpu_type = serializers.CharField(required=False)
    cost_usd = serializers.FloatField(required=False)
    backend = serializers.CharField(required=False, help_text="local, modal, ...")
    device = serializers.CharField(required=False)
    models = serializers.DictField(child=serializers.CharField(), required=False,
                                   help_text="Component → model id@revision.")
    attempts = serializers.IntegerField(required=False)


class DesignErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class UpscaleErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class UpscaleStateSerializer(serializers.Serializer):
    """Documents designs.upscales.upscale_state (nothing renders through it)."""

    id = serializers.UUIDField()
    result_index = serializers.IntegerField(help_text="Which result of the design: its index in `results`, from 0.")
    factor = serializers.IntegerField()
    max_side = serializers.IntegerField(help_text="The cap on the long side, in pixels (4096).")
    status = serializers.ChoiceField(choices=UpscaleStatus.choices)
    progress = serializers.FloatField(min_value=0, max_value=1, help_text="Never goes back.")
    message = serializers.CharField()
    seq = serializers.IntegerField()
    width = serializers.IntegerField(allow_null=True, help_text="The delivered size, once completed.")
    height = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(allow_null=True, help_text="The JPEG, once completed; signed and expiring.")
    images_charged = serializers.IntegerField(help_text="Images of the daily quota it counts as (0: included). "
                                                        "Given back if it fails or is cancelled.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    error = UpscaleErrorSerializer(allow_null=True)


class DesignStateSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Status.choices, help_text="In this order; the last three are final.")
    progress = serializers.FloatField(min_value=0, max_value=1, help_text="Never goes back.")
    message = serializers.CharField()
    seq = serializers.IntegerField(help_text="Increases with every change; the WebSocket events carry it too.")
    estimated_time_remaining = serializers.FloatField(allow_null=True, help_text="Seconds; null before any history.")
    mode = serializers.ChoiceField(choices=Mode.choices, help_text="What the design does to the photo.")
    style = serializers.CharField()
    room_type = serializers.CharField(allow_null=True, help_text="Given, or detected when none was given.")
    preferences = DesignPreferencesSerializer()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    original_url = serializers.CharField(allow_null=True, help_text=_URL_HELP)
    mask_url = serializers.CharField(allow_null=True, help_text="An edit's mask as stored (white = changed). "
                                                                + _URL_HELP)
    style_reference_url = serializers.CharField(
        allow_null=True, help_text="The style reference photo the design takes its look from; null without one. "
                                   + _URL_HELP)
    results = DesignResultSerializer(many=True, help_text="One per variation, once completed.")
    metadata = DesignMetadataSerializer()
    error = DesignErrorSerializer(allow_null=True, help_text="Why it failed; null otherwise.")
    upscales = UpscaleStateSerializer(many=True, help_text="Every upscale of its results to print size, oldest "
                                                           "first; empty until the design is completed.")


class DesignAcceptedSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=Status.choices)
    progress = serializers.FloatField()
    estimated_time = serializers.FloatField(allow_null=True, help_text="Seconds; null before any history.")
    status_url = serializers.CharField(help_text="The design: GET it to poll. Also in the Location header.")
    websocket_url = serializers.CharField(help_text="Progress events; send the token in the handshake.")


class StyleSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    swatch = serializers.ListField(child=serializers.CharField(), help_text="Hex colours.")


class RoomTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()


class CatalogSerializer(serializers.Serializer):
    styles = StyleSerializer(many=True)
    room_types = RoomTypeSerializer(many=True)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER,
    description="Any string up to 255 characters. Sending the same key again returns the design the first "
                "request made (200 instead of 202) instead of making and charging a second one.",
    examples=[OpenApiExample("a retry-safe key", value="7d5c1c1e-3f0a-4d1e-9a55-2f7a0c6f5b11")],
)

LOCATION = "The design's URL (the same as `status_url`): poll it for the state."

ACCEPTED_EXAMPLE = OpenApiExample("accepted", response_only=True, status_codes=["202"], value={
    "id": "3b8e8a57-4b8f-4f55-9d6e-0d3c2f8a8e21", "status": "queued", "progress": 0.0, "estimated_time": 14.5,
    "status_url": "https://restyle.example.com/api/v1/designs/3b8e8a57-4b8f-4f55-9d6e-0d3c2f8a8e21/",
    "websocket_url": "wss://restyle.example.com/ws/designs/3b8e8a57-4b8f-4f55-9d6e-0d3c2f8a8e21/",
})

STATE_EXAMPLE = OpenApiExample("completed", response_only=True, status_codes=["200"], value={
    "id": "3b8e8a57-4b8f-4f55-9d6e-0d3c2f8a8e21", "status": "completed", "progress": 1.0, "message": "Done",
    "seq": 41, "estimated_time_remaining": 0, "mode": "restyle", "style": "scandinavian", "room_type": "living_room",
    "preferences": {"keep_furniture": True, "color_palette": ["#a3b18a"], "creativity": 0.5},
    "created_at": "2026-11-12T10:30:31+00:00", "started_at": "2026-11-12T10:30:32+00:00",
    "finished_at": "2026-11-12T10:30:45+00:00",
    "original_url": "https://files.example.com/designs/u7/3b8e…/original.jpg?X-Amz-Signature=…", "mask_url": None,
    "style_reference_url": None,
    "results": [{"url": "https://files.example.com/designs/u7/3b8e…/result-1-a1.jpg?X-Amz-Signature=…",
                 "thumbnail_url": "https://files.example.com/designs/u7/3b8e…/thumb-1-a1.jpg?X-Amz-Signature=…",
                 "width": 1024, "height": 768, "seed": 1234, "quality_score": 0.81,
                 "layout": {"score": 0.81, "kept": True, "refunded": False,
                            "meaning": "The room's layout is kept: walls, windows and doors are where they were."}}],
    "metadata": {"processing_time": 12.9, "timings": {"analyzing": 0.2, "detecting": 0.4, "generating": 0.6,
                                                      "transforming": 10.8, "finalizing": 0.4},
                 "detected_room_type": "living_room",
                 "furniture": [{"id": 0, "label": "couch", "box": [102.0, 388.5, 640.2, 700.0],
                                "confidence": 0.91}],
                 "quality": {"retried": False}, "gpu_seconds": 11.2, "gpu_type": "L4", "cost_usd": 0.0025,
                 "backend": "modal", "device": "cuda:0", "models": {"base": "runwayml/stable-diffusion-v1-5@…"},
                 "attempts": 1},
    "error": None,
})


def accepted_responses() -> dict:
    """POST /api/v1/designs/: 202 for a new design, 200 for a repeated Idempotency-Key."""
    return {
        202: OpenApiResponse(DesignAcceptedSerializer, description="Accepted and queued."),
        200: OpenApiResponse(DesignAcceptedSerializer, description="The design an earlier request with the same "
                                                                   "Idempotency-Key made."),
    }
