"""Admin building blocks the apps share."""
from __future__ import annotations

from django.contrib import admin


class ReadOnlyInlineMixin:
    """Rows the system makes (results, upscales, deliveries, a project's photos), shown under their parent: every
    listed field read-only, none added or deleted here. Without refusing the add, the page also rendered an empty
    "add another" row, whose read-only previews had no object and crashed the whole page."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyTabularInline(ReadOnlyInlineMixin, admin.TabularInline):
    pass


class ReadOnlyStackedInline(ReadOnlyInlineMixin, admin.StackedInline):
    pass
