from __future__ import annotations

import posixpath
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from designs.jobs import GpuJob
from designs.options import DesignOptions


class Status(models.TextChoices):
    QUEUED = "queued"
    ANALYZING = "analyzing"
    DETECTING = "detecting"
    GENERATING = "generating"
    TRANSFORMING = "transforming"
    FINALIZING = "finalizing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Mode(models.TextChoices):
    RESTYLE = "restyle", "Restyle"
    DECLUTTER = "declutter", "Declutter"
    STAGE = "stage", "Stage"
    EDIT = "edit", "Edit an area"


RUNNING = (Status.ANALYZING, Status.DETECTING, Status.GENERATING, Status.TRANSFORMING, Status.FINALIZING)
FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

# A design takes a share of the global capacity (billing's designs per minute and per hour) from the moment it
# is accepted, unless it is given back before the GPU started on it: cancelled, or failed while still queued.
# A deleted design's row is gone and so is its share. Submit and cancel in a loop therefore uses none.
HOLDS_CAPACITY = Q(started_at__isnull=False) | ~Q(status__in=[Status.CANCELLED, Status.FAILED])


class Design(GpuJob):
    FINISHED_STATUSES = FINISHED

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="designs"
    )
    # A guest's designs belong to their browser session until they sign up.
    guest_key = models.CharField(max_length=64, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    stage = models.CharField(max_length=16, blank=True)
    # progress, message, seq: GpuJob's (designs/jobs.py)

    style = models.CharField(max_length=40, db_index=True)
    room_type = models.CharField(max_length=40, blank=True)
    detected_room_type = models.CharField(max_length=40, blank=True)
    preferences = models.JSONField(default=dict, blank=True)
    variations = models.PositiveSmallIntegerField(default=1)
    resolution = models.PositiveSmallIntegerField(default=768)
    # What the design does to the photo (gpu/modes.py). The database default lets the previous release insert
    # rows (all restyles) while a deploy rolls.
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.RESTYLE, db_default=Mode.RESTYLE,
                            db_index=True)
    mask = models.FileField(max_length=255, blank=True)  # edit: the person's mask, a binary PNG at the photo's size
    # A photo of a room whose look the design takes (an image-prompt adapter, gpu/): the person's own upload, or
    # a project's shared reference. Private, in the design's folder, so it is exported and deleted with it.
    reference = models.FileField(max_length=255, blank=True)

    original = models.FileField(max_length=255)
    original_width = models.PositiveIntegerField(default=0)
    original_height = models.PositiveIntegerField(default=0)
    maps = models.JSONField(default=dict, blank=True)  # control maps, storage keys, for staff
    metadata = models.JSONField(default=dict, blank=True)

    # Webhooks for API clients: called when the design ends, signed with the token's secret (designs/webhooks.py).
    callback_url = models.URLField(max_length=2000, blank=True)
    callback_token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    # error_code, error_message: GpuJob's
    idempotency_key = models.CharField(max_length=255, blank=True)
    # sha256 of what the request with that key asked for (photo bytes and choices): the same key with another
    # request is refused instead of answered with this design. Empty on designs made before it was recorded;
    # the database default lets the previous release's processes insert rows while a deploy rolls.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="", db_default="")
    # attempts: GpuJob's. Attempts made before staff last retried the failed design: DESIGN_MAX_ATTEMPTS counts
    # from here, while `attempts` keeps counting so that every attempt keeps its own GPU charge.
    attempts_before_retry = models.PositiveSmallIntegerField(default=0, db_default=0)
    # lease_until, queued_at, queue_priority, created_at, started_at, finished_at, deadline_at: GpuJob's

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"], condition=~Q(idempotency_key=""), name="design_idempotency_user"
            ),
            models.UniqueConstraint(
                fields=["guest_key", "idempotency_key"],
                condition=~Q(idempotency_key="") & Q(owner__isnull=True),
                name="design_idempotency_guest",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            # The global caps count these on every submit: only designs that hold capacity are in it, so
            # designs cancelled by the thousand cost the count nothing.
            models.Index(fields=["created_at"], condition=HOLDS_CAPACITY, name="design_holds_capacity"),
        ]

    def __str__(self) -> str:
        return f"{self.style} design {self.id}"

    @property
    def storage_prefix(self) -> str:
        """The folder of every file of the design (original, mask, results, maps, upscales). Storage keys are
        ours, never the uploaded file's name: designs/<owner>/<id>, chosen when the original is stored and kept
        from then on (a guest's design adopted at sign-up keeps its guest folder)."""
        if self.original.name:
            return posixpath.dirname(self.original.name)
        owner = f"u{self.owner_id}" if self.owner_id else f"g{self.guest_key[:16]}"
        return f"designs/{owner}/{self.id}"

    @property
    def options(self) -> DesignOptions:
        """The person's choices stored in `preferences`, typed."""
        return DesignOptions.from_data(self.preferences)


class DesignResult(models.Model):
    """One variation of a finished design."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="results")
    index = models.PositiveSmallIntegerField()
    image = models.FileField(max_length=255)
    thumbnail = models.FileField(max_length=255)
    seed = models.BigIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    quality_score = models.FloatField()
    # Engines differ (models, samplers, sizes): which one made this image. Empty for results from before engines.
    engine = models.CharField(max_length=32, blank=True, default="", db_default="")
    # The layout guarantee (designs/layout.py): False when the score stayed below the threshold after the retry
    # (delivered marked, its image refunded); None when not measured, and for results from before the guarantee.
    layout_kept = models.BooleanField(null=True, blank=True, default=None)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["design", "index"], name="design_result_once")]

    def __str__(self) -> str:
        return f"variation {self.index + 1} of {self.design_id}"


class WebhookDelivery(models.Model):
    """One call of a design's callback for one terminal state: unique per (design, event), created in the
    transaction that ends the design, so each end is delivered once whatever restarts in between."""

    class Event(models.TextChoices):
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"

    class State(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # gave up: the retry window passed, the address was refused, or the token was revoked

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="webhook_deliveries")
    token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    url = models.URLField(max_length=2000)
    event = models.CharField(max_length=16, choices=Event.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status of the last try.")
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    next_try_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["design", "event"], name="webhook_delivery_once")]

    def __str__(self) -> str:
        return f"{self.event} of {self.design_id} to {self.url}"


class StaffAction(models.Model):
    """The audit log of remedies staff applied in the admin: who, when, what, to what, and why.

    Append-only: rows outlive the design or user they name (the target keeps a readable copy)."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=200, help_text="What it was applied to, as it read then.")
    design = models.ForeignKey(Design, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}"


class DesignAttempt(models.Model):
    """Which GPU engine one attempt at a design used and how it ended: the failover's record (designs/engines.py).

    GPU charges say what an attempt cost; this says where it ran, including the attempts that never reached a
    GPU (an engine unreachable, every breaker open), which cost nothing and so have no charge. Kept when the
    design is deleted: the report's success rate per engine needs it.
    """

    design = models.ForeignKey(Design, null=True, blank=True, on_delete=models.SET_NULL, related_name="engine_attempts")
    attempt = models.PositiveSmallIntegerField()
    engine = models.CharField(max_length=32)
    outcome = models.CharField(max_length=40, blank=True, help_text="completed, an error code, handed_back, or "
                                                                     "empty while it runs.")
    engine_fault = models.BooleanField(default=False, help_text="The engine failed (counted by its breaker).")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["design", "attempt"], name="design_attempt_once")]
        indexes = [models.Index(fields=["started_at", "engine"])]

    def __str__(self) -> str:
        return f"attempt {self.attempt} of {self.design_id} on {self.engine}"


class AlertIncident(models.Model):
    """One incident of an operations alert (designs/alerts.py): opened when its condition starts, resolved when
    it clears. At most one is open per alert (a partial unique index), so of several processes evaluating at
    once exactly one opens it and sends the alert, and exactly one resolves it (a conditional update) and sends
    the "resolved" message."""

    alert = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    opened_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["alert"], condition=Q(resolved_at__isnull=True),
                                               name="alert_one_open_incident")]

    def __str__(self) -> str:
        return f"{self.alert} at {self.opened_at:%Y-%m-%d %H:%M}"


class Operations(Design):
    """No table of its own: gives the live operations page a place in the admin's designs section."""

    class Meta:
        proxy = True
        verbose_name = "operations"
        verbose_name_plural = "operations"


class UpscaleStatus(models.TextChoices):
    QUEUED = "queued"
    UPSCALING = "upscaling"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


UPSCALE_FINISHED = (UpscaleStatus.COMPLETED, UpscaleStatus.FAILED, UpscaleStatus.CANCELLED)


class Upscale(GpuJob):
    """One result of a finished design enlarged 2x or 4x to print size (gpu/upscale.py): its own job, run by the
    same workers and backends as designs, charged per the owner's plan (billing/upscales.py)."""

    FINISHED_STATUSES = UPSCALE_FINISHED

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="upscales")
    result = models.ForeignKey(DesignResult, on_delete=models.CASCADE, related_name="upscales")
    factor = models.PositiveSmallIntegerField()  # 2 or 4; the long side is capped at gpu.types.UPSCALE_MAX_SIDE

    status = models.CharField(max_length=16, choices=UpscaleStatus.choices, default=UpscaleStatus.QUEUED,
                              db_index=True)
    # progress, message, seq: GpuJob's (designs/jobs.py)

    image = models.FileField(max_length=255, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    units = models.PositiveSmallIntegerField(default=0, help_text="Images of the daily quota it was charged.")
    # error_code, error_message, attempts, lease_until, queued_at, queue_priority, created_at, started_at,
    # finished_at, deadline_at: GpuJob's

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # Asking again for the same enlargement of the same result while one is queued, running or done
            # returns that one: a double click never runs (or charges) a second job.
            models.UniqueConstraint(fields=["result", "factor"],
                                    condition=Q(status__in=["queued", "upscaling", "completed"]),
                                    name="upscale_once_per_result_factor"),
        ]

    def __str__(self) -> str:
        return f"{self.factor}x upscale of {self.result}"
