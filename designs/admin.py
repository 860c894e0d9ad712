from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from designs.files import file_url
from designs.models import Design, DesignResult, WebhookDelivery
from designs.services import design_delete


class DesignResultInline(admin.TabularInline):
    model = DesignResult
    fields = ["index", "preview", "seed", "width", "height", "quality_score"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="Result")
    def preview(self, result: DesignResult) -> str:
        return format_html('<img src="{}" alt="variation {}" style="max-height:120px">',
                           file_url(result.thumbnail.name), result.index + 1)


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["event", "url", "state", "attempts", "last_status", "last_error", "next_try_at", "delivered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


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


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "style", "status", "progress", "created_at", "finished_at", "error_code"]
    list_filter = ["status", "style", "created_at"]
    search_fields = ["id", "owner__email", "client_ip"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Design._meta.fields] + ["original_preview", "control_maps"]
    inlines = [DesignResultInline, WebhookDeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False

    # Deletes go through the same service as the API's DELETE, so the stored photo, results and maps go too
    # (the admin's own delete removed the rows only). The bulk "Delete selected" action calls delete_queryset.
    def delete_model(self, request, obj: Design) -> None:
        design_delete(design=obj)

    def delete_queryset(self, request, queryset) -> None:
        for design in queryset.prefetch_related("results"):
            design_delete(design=design)

    @admin.display(description="Original")
    def original_preview(self, design: Design) -> str:
        return format_html('<img src="{}" alt="original photo" style="max-height:240px">',
                           file_url(design.original.name))

    @admin.display(description="Control maps")
    def control_maps(self, design: Design) -> str:
        return format_html_join(" ", '<figure style="display:inline-block"><img src="{}" alt="{} map" '
                                'style="max-height:160px"><figcaption>{}</figcaption></figure>',
                                ((file_url(name), kind, kind) for kind, name in design.maps.items()))
