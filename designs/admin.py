from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from billing.admin import ReadOnlyAdmin, _action_form
from billing.models import GpuCharge, Plan, UsageEntry
from core.admin import ReadOnlyTabularInline
from designs.files import file_url
from designs.jobs import GpuJob
from designs.models import Design, DesignResult, StaffAction, Status, Upscale, WebhookDelivery
from designs.remedies import design_refund, design_remove, design_retry
from designs.services import design_delete

# The columns every GPU job has (designs/jobs.py): shown after a design's own fields.
GPU_JOB_FIELDS = {field.name for field in GpuJob._meta.fields}


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300, help_text="Why, for the audit log (a ticket number, what you saw).")


class PlanReasonForm(ReasonForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.all(), empty_label=None,
                                  help_text="From now on; today's usage counts against the new limit.")


class GrantReasonForm(ReasonForm):
    units = forms.IntegerField(min_value=1, max_value=1000, initial=1, label="Extra designs for today",
                               help_text="One per variation. They expire at midnight UTC.")


class DesignResultInline(ReadOnlyTabularInline):
    model = DesignResult
    fields = ["index", "preview", "seed", "width", "height", "quality_score"]

    @admin.display(description="Result")
    def preview(self, result: DesignResult) -> str:
        return format_html('<img src="{}" alt="variation {}" style="max-height:120px">',
                           file_url(result.thumbnail.name), result.index + 1)


class UpscaleInline(ReadOnlyTabularInline):
    """Upscales to print size (designs/upscales.py): what was asked, how it went, what it was charged."""

    model = Upscale
    fields = ["result", "factor", "status", "progress", "width", "height", "units", "attempts", "error_code",
              "created_at", "finished_at"]


class WebhookDeliveryInline(ReadOnlyTabularInline):
    model = WebhookDelivery
    fields = ["event", "url", "state", "attempts", "last_status", "last_error", "next_try_at", "delivered_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Read-only: what was called, how often, and what the receiver answered."""

    list_display = ["design", "event", "url", "state", "attempts", "last_status", "next_try_at", "delivered_at"]
    list_filter = ["state", "event", "created_at"]
    search_fields = ["design__id", "url", "design__owner__email"]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PlanFilter(admin.SimpleListFilter):
    """The plan the design was submitted under: its reservation in the usage ledger records it."""

    title = "plan"
    parameter_name = "plan"

    def lookups(self, request, model_admin):
        return [(plan.code, plan.name) for plan in Plan.objects.all()]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        reserved = UsageEntry.objects.filter(design=OuterRef("pk"), kind=UsageEntry.Kind.RESERVE,
                                             plan_code=self.value())
        return queryset.filter(Exists(reserved))


class EngineFilter(admin.SimpleListFilter):
    """Designs with at least one attempt on this engine (GPU backend), from the attempts' GPU charges."""

    title = "engine"
    parameter_name = "engine"

    def lookups(self, request, model_admin):
        return [("local", "Local GPU"), ("modal", "Modal")]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(Exists(GpuCharge.objects.filter(design=OuterRef("pk"), backend=self.value())))


class RecentFailureFilter(admin.SimpleListFilter):
    title = "recent failures"
    parameter_name = "failed_within"

    def lookups(self, request, model_admin):
        return [("1h", "Failed in the last hour")]

    def queryset(self, request, queryset):
        if self.value() != "1h":
            return queryset
        return queryset.filter(status=Status.FAILED, finished_at__gte=timezone.now() - timedelta(hours=1))


_THUMB = '<img src="{}" alt="{}" style="max-height:{}px;margin-right:4px">'


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    list_display = ["id", "thumbnails", "owner", "mode", "style", "status", "progress", "created_at", "finished_at",
                    "error_code"]
    list_filter = ["status", "mode", "style", PlanFilter, EngineFilter, RecentFailureFilter, "created_at"]
    list_select_related = ["owner"]
    search_fields = ["id", "owner__email", "client_ip"]
    date_hierarchy = "created_at"
    # The design's own fields first, then its life as a job (an abstract model's columns come first in _meta).
    readonly_fields = ["before_after", "control_maps", "error", "attempt_list"] + sorted(
        (field.name for field in Design._meta.fields), key=lambda name: name in GPU_JOB_FIELDS)
    fields = readonly_fields
    inlines = [DesignResultInline, UpscaleInline, WebhookDeliveryInline]
    actions = ["retry_failed", "refund", "delete_with_reason"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("results")

    def has_add_permission(self, request) -> bool:
        return False

    # Deletes go through the same service as the API's DELETE, so the stored photo, results and maps go too
    # (the admin's own delete removed the rows only). The bulk "Delete selected" action calls delete_queryset.
    def delete_model(self, request, obj: Design) -> None:
        design_delete(design=obj)

    def delete_queryset(self, request, queryset) -> None:
        for design in queryset.prefetch_related("results"):
            design_delete(design=design)

    @admin.action(description="Retry the selected failed designs (no second charge)…", permissions=["change"])
    def retry_failed(self, request, queryset):
        def apply(data: dict) -> str:
            retried = [d for d in queryset if design_retry(design=d, staff=request.user, reason=data["reason"])]
            skipped = queryset.count() - len(retried)
            if skipped:
                self.message_user(request, f"{skipped} design(s) were not failed (or have results): left alone.",
                                  messages.WARNING)
            return f"Queued {len(retried)} design(s) again."

        return _action_form(self, request, queryset, form_class=ReasonForm, title="Retry failed designs",
                            apply=apply)

    @admin.action(description="Refund the selected designs' quota…", permissions=["change"])
    def refund(self, request, queryset):
        def apply(data: dict) -> str:
            done = sum(design_refund(design=d, staff=request.user, reason=data["reason"]) for d in queryset)
            return f"Refunded {done} of {queryset.count()} design(s) (completed or already refunded ones are not)."

        return _action_form(self, request, queryset, form_class=ReasonForm, title="Refund designs", apply=apply)

    @admin.action(description="Delete the selected designs and their files, with a reason…",
                  permissions=["delete"])
    def delete_with_reason(self, request, queryset):
        def apply(data: dict) -> str:
            designs = list(queryset.prefetch_related("results"))
            for design in designs:
                design_remove(design=design, staff=request.user, reason=data["reason"])
            return f"Deleted {len(designs)} design(s)."

        return _action_form(self, request, queryset, form_class=ReasonForm, title="Delete designs", apply=apply)

    @admin.display(description="Before / after")
    def thumbnails(self, design: Design) -> str:
        # One line: in the list's narrow column the "after" otherwise wrapped under the "before".
        return format_html('<span style="white-space:nowrap">{}</span>',
                           self._before_after(design, height=60, results=design.results.all()[:1]))

    @admin.display(description="Before / after")
    def before_after(self, design: Design) -> str:
        return self._before_after(design, height=240, results=design.results.all())

    def _before_after(self, design: Design, *, height: int, results) -> str:
        images = [(file_url(design.original.name), "original photo", height)]
        images += [(file_url(r.thumbnail.name), f"variation {r.index + 1}", height) for r in results]
        if design.reference.name:
            images.append((file_url(design.reference.name), "style reference photo", height))
        return format_html_join("", _THUMB, images)

    @admin.display(description="Control maps")
    def control_maps(self, design: Design) -> str:
        return format_html_join(" ", '<figure style="display:inline-block"><img src="{}" alt="{} map" '
                                'style="max-height:160px"><figcaption>{}</figcaption></figure>',
                                ((file_url(name), kind, kind) for kind, name in design.maps.items()))

    @admin.display(description="Error")
    def error(self, design: Design) -> str:
        if not design.error_code:
            return "—"
        return format_html("<strong>{}</strong>: {}", design.error_code, design.error_message)

    @admin.display(description="Attempts")
    def attempt_list(self, design: Design) -> str:
        """Every attempt the GPU was paid for, from billing's charges: engine, GPU, time, cost, worker."""
        charges = GpuCharge.objects.filter(design=design).order_by("attempt")
        if not charges:
            return "—"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} s</td><td>${}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((c.attempt, c.backend or "?", c.gpu_type, c.gpu_seconds, c.cost_usd,
              "result" if c.completed else "no result", c.worker or "?", c.created_at.isoformat(timespec="seconds"))
             for c in charges),
        )
        return format_html("<table><thead><tr><th>Attempt</th><th>Engine</th><th>GPU</th><th>Duration</th>"
                           "<th>Cost</th><th>Outcome</th><th>Worker</th><th>Ended</th></tr></thead>"
                           "<tbody>{}</tbody></table>", rows)


@admin.register(StaffAction)
class StaffActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "staff", "action", "target", "reason"]
    list_filter = ["action", "created_at"]
    list_select_related = ["staff"]
    search_fields = ["target", "reason", "staff__email"]
    date_hierarchy = "created_at"


@admin.register(Upscale)
class UpscaleAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "design", "factor", "status", "width", "height", "units", "attempts", "error_code",
                    "finished_at"]
    list_filter = ["status", "factor", "created_at"]
    list_select_related = ["design"]
    search_fields = ["design__id", "design__owner__email"]
    date_hierarchy = "created_at"


from designs import admin_ops  # noqa: E402,F401  (the operations page registers itself)
