"""Plans, subscriptions, the usage ledger, the daily counters that make quotas race-free, and GPU cost."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The plans the code refers to by name. The data migration creates them; staff edit the numbers in the admin.
# If a row is missing (a flushed test database), selectors recreate it from here.
BUILTIN_PLANS: dict[str, dict] = {
    "guest": {"name": "Guest", "daily_limit": 3, "max_variations": 1, "max_resolution": 512, "queue_priority": 0},
    "free": {"name": "Free", "daily_limit": 5, "max_variations": 2, "max_resolution": 768, "queue_priority": 1},
    "premium": {"name": "Premium", "daily_limit": 20, "max_variations": 4, "max_resolution": 1024,
                "queue_priority": 5, "monthly_price": "12.00", "upscales": True},
    "staff": {"name": "Staff", "daily_limit": 100, "max_variations": 4, "max_resolution": 1024,
              "queue_priority": 9, "upscales": True},
}


ENGINES = ("local", "modal", "http", "replicate")


def validate_engine_list(value: str) -> None:
    from django.core.exceptions import ValidationError

    unknown = [name for name in (part.strip() for part in value.split(",")) if name and name not in ENGINES]
    if unknown:
        raise ValidationError(f"Unknown GPU engine {unknown[0]!r}: use {', '.join(ENGINES)}.")


class Plan(models.Model):
    code = models.SlugField(max_length=32, unique=True, help_text="Used by the code; built-in codes cannot change.")
    name = models.CharField(max_length=64)
    daily_limit = models.PositiveIntegerField(help_text="Images per UTC day. Each variation of a design is one.")
    max_variations = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1),
                                                                             MaxValueValidator(4)])
    max_resolution = models.PositiveSmallIntegerField(default=768, validators=[MinValueValidator(256),
                                                                               MaxValueValidator(2048)])
    queue_priority = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(9)],
        help_text="0–9; plans at PRIORITY_QUEUE_MIN_PRIORITY (5) or above run before the others when designs wait.",
    )
    monthly_price = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    # Quick drafts count like any design (one image of the daily limit per variation); their GPU cost is what
    # they measure, about a quarter of a standard design's, so the daily budget sees the difference.
    quick_drafts = models.BooleanField(default=True, help_text="Allow quick drafts (few steps, several times "
                                                               "faster). Each variation counts as one image.")
    # What Stripe Checkout sells for this plan (README "Payments"). Blank: the plan cannot be bought, staff assign it.
    stripe_price_id = models.CharField(
        max_length=100, blank=True, default="", db_default="",
        help_text="Stripe price id (price_…) of this plan's monthly subscription. Blank: not for sale.",
    )

    # The failover order for this plan's designs (designs/engines.py); empty: the deployment's GPU_ENGINES.
    gpu_engines = models.CharField(
        max_length=100, blank=True, default="", db_default="", validators=[validate_engine_list],
        help_text="GPU engines in failover order, comma-separated (local, modal, http, replicate); "
                  "empty: the deployment's GPU_ENGINES.",
    )
    # Upscaling a result to print size (designs/upscales.py): premium and staff by default. Each upscale counts
    # as `upscale_images` images of the daily limit (0: included), charged when asked for and given back
    # if it fails or is cancelled before it finished.
    upscales = models.BooleanField(default=False, help_text="Allow upscaling results 2x or 4x to print size.")
    upscale_images = models.PositiveSmallIntegerField(
        default=1, validators=[MaxValueValidator(10)],
        help_text="Images of the daily limit one upscale counts as (0: included in the plan).",
    )

    class Meta:
        ordering = ["daily_limit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["stripe_price_id"], condition=~Q(stripe_price_id=""),
                                    name="plan_stripe_price_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.code in BUILTIN_PLANS


class Subscription(models.Model):
    """A user's plan over time. The open one (no ended_at) is current; none means the default plan."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.CharField(max_length=200, blank=True)
    # Set when a Stripe subscription pays for this plan: its end (unpaid, canceled) moves the user back to free,
    # while a plan staff assigned is left alone by Stripe's events.
    stripe_subscription_id = models.CharField(max_length=100, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(ended_at__isnull=True), name="subscription_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.plan}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None


# A quota subject is a user, or (for guests) a client network: an IPv4 address or an IPv6 /64.
_ONE_SUBJECT = Q(user__isnull=False, guest_ip="") | (Q(user__isnull=True) & ~Q(guest_ip=""))


class DailyUsage(models.Model):
    """One row per subject per UTC day: the counter that the conditional UPDATE makes race-free.

    Invariant, checked by the tests: used = Σ reserve − Σ refund and granted = Σ grant in the ledger.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    guest_ip = models.CharField(max_length=64, blank=True)
    day = models.DateField(db_index=True)
    used = models.IntegerField(default=0)
    granted = models.IntegerField(default=0)

    class Meta:
        ordering = ["-day", "-used"]
        verbose_name_plural = "daily usage"
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], condition=Q(user__isnull=False), name="daily_usage_user"),
            models.UniqueConstraint(fields=["guest_ip", "day"], condition=Q(user__isnull=True),
                                    name="daily_usage_guest"),
            models.CheckConstraint(condition=_ONE_SUBJECT, name="daily_usage_one_subject"),
            models.CheckConstraint(condition=Q(used__gte=0) & Q(granted__gte=0), name="daily_usage_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.guest_ip} on {self.day}"


class UsageEntry(models.Model):
    """The append-only usage ledger: every reservation, refund and grant. Code never updates or deletes it."""

    class Kind(models.TextChoices):
        RESERVE = "reserve"
        REFUND = "refund"
        GRANT = "grant"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="usage_entries")
    guest_ip = models.CharField(max_length=64, blank=True)
    # Kept when the design is deleted: the units were still used that day.
    design = models.ForeignKey("designs.Design", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="usage_entries")
    # An upscale's own reservation and refund (designs.Upscale); `design` stays empty on those, so the design's
    # reserve-once and refund-once guard is not touched by them.
    upscale = models.ForeignKey("designs.Upscale", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="usage_entries")
    units = models.PositiveIntegerField()
    day = models.DateField(help_text="The UTC day whose counter this entry changed.")
    plan_code = models.CharField(max_length=32, blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="Refund reason or grant note.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "usage entries"
        constraints = [
            # The refund-exactly-once guard: a second refund (or reservation) for a design cannot be inserted.
            models.UniqueConstraint(fields=["design", "kind"], condition=Q(kind__in=["reserve", "refund"]),
                                    name="usage_once_per_design"),
            models.UniqueConstraint(fields=["upscale", "kind"], condition=Q(kind__in=["reserve", "refund"]),
                                    name="usage_once_per_upscale"),
            models.CheckConstraint(condition=Q(units__gt=0), name="usage_units_positive"),
            models.CheckConstraint(condition=_ONE_SUBJECT, name="usage_one_subject"),
        ]
        indexes = [models.Index(fields=["kind", "created_at"]), models.Index(fields=["day", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.units} for {self.user or self.guest_ip} on {self.day}"


class UsageReport(UsageEntry):
    """No table of its own: gives the usage report page a place in the admin's billing section."""

    class Meta:
        proxy = True
        verbose_name = "usage report"
        verbose_name_plural = "usage report"


class GpuCharge(models.Model):
    """What one attempt at a design cost on the GPU. Summed per day for the budget and the report.

    Attempts that ended without a result (a crash, a timeout, a cancel mid-run) are charged too: the GPU
    was paid for all the same, and a failing deployment must reach the budget rather than run free.
    """

    design = models.ForeignKey("designs.Design", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="gpu_charges")
    upscale = models.ForeignKey("designs.Upscale", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="gpu_charges", help_text="Set on an upscale's charges (design empty).")
    attempt = models.PositiveSmallIntegerField(default=1)
    completed = models.BooleanField(default=True, help_text="False: GPU time spent without a result.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    guest_ip = models.CharField(max_length=64, blank=True)
    plan_code = models.CharField(max_length=32, blank=True)
    gpu_type = models.CharField(max_length=32)
    # Which engine ran the attempt (local or modal) and which worker process: for staff reading a design's
    # attempts. Database defaults let the previous release insert rows while a deploy rolls.
    backend = models.CharField(max_length=32, blank=True, default="", db_default="")
    worker = models.CharField(max_length=128, blank=True, default="", db_default="")
    gpu_seconds = models.DecimalField(max_digits=12, decimal_places=3)
    price_per_second = models.DecimalField(max_digits=12, decimal_places=8)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6)
    day = models.DateField(db_index=True, help_text="The UTC day the design finished.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "GPU charge"
        constraints = [models.UniqueConstraint(fields=["design", "attempt"], name="gpu_charge_once_per_attempt"),
                       models.UniqueConstraint(fields=["upscale", "attempt"], name="gpu_charge_once_per_upscale")]

    def __str__(self) -> str:
        return f"${self.cost_usd} on {self.gpu_type}"


class StripeCustomer(models.Model):
    """A user's Stripe customer and the Stripe subscription last read from Stripe (billing/stripe_sync.py).

    A mirror for the account page and the admin, written only by the sync; the plan itself is the Subscription."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stripe_customer")
    customer_id = models.CharField(max_length=100, unique=True)
    subscription_id = models.CharField(max_length=100, blank=True)
    subscription_status = models.CharField(max_length=32, blank=True, help_text="Stripe's status: active, "
                                           "past_due, unpaid, canceled…")
    price_id = models.CharField(max_length=100, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.customer_id} ({self.user})"


class StripeEvent(models.Model):
    """Every Stripe event the webhook accepted, once: the unique id makes a second delivery a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text="When Stripe made the event.")
    received_at = models.DateTimeField(default=timezone.now)
    customer_id = models.CharField(max_length=100, blank=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
