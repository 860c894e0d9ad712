"""Operators' side of billing: plans, plan changes, grants, the read-only ledger and the usage report."""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.template.response import TemplateResponse

from billing import conf, reports
from billing.forms import GrantForm, PlanChangeForm
from billing.models import DailyUsage, GpuCharge, Plan, Subscription, UsageEntry, UsageReport
from billing.selectors import gpu_spend
from billing.services import quota_grant, subscription_change
from billing.subjects import utc_today


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger and the charges are records of what happened: staff read them, code writes them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _action_form(modeladmin, request, queryset, *, form_class, title: str,
                 apply: Callable[[dict], str]) -> TemplateResponse | None:
    """An admin action that asks for a few values first (Django's intermediate-page pattern)."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        modeladmin.message_user(request, apply(form.cleaned_data), messages.SUCCESS)
        return None  # back to the list
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title, "form": form, "queryset": queryset, "opts": modeladmin.model._meta,
        "action": request.POST["action"], "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/billing/action_form.html", context)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "daily_limit", "max_variations", "max_resolution", "queue_priority",
                    "monthly_price", "quick_drafts", "upscales", "upscale_images", "current_subscriptions"]
    list_editable = ["daily_limit", "max_variations", "max_resolution", "queue_priority", "monthly_price",
                     "quick_drafts"]
    list_display_links = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            current=Count("subscriptions", filter=Q(subscriptions__ended_at__isnull=True))
        )

    @admin.display(description="current subscriptions", ordering="current")
    def current_subscriptions(self, plan: Plan) -> int:
        return plan.current

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return ["code"] if obj is not None and obj.is_builtin else []  # the code refers to them by code

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_builtin)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would skip the built-in check above
        return actions


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Adding a subscription is how staff change a user's plan: the service ends the current one."""

    list_display = ["user", "plan", "started_at", "ended_at", "is_current", "changed_by", "note"]
    list_filter = ["plan", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "plan", "changed_by"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]
    fields = ["user", "plan", "note"]
    actions = ["change_plan", "grant_today"]

    @admin.display(boolean=True, description="current")
    def is_current(self, subscription: Subscription) -> bool:
        return subscription.is_current

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # history; a change is a new subscription

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        current = subscription_change(user=obj.user, plan=obj.plan, changed_by=request.user, note=obj.note)
        obj.pk, obj.started_at, obj.changed_by = current.pk, current.started_at, current.changed_by

    @admin.action(description="Change the plan of the selected users…", permissions=["add"])
    def change_plan(self, request, queryset):
        def apply(data: dict) -> str:
            users = {subscription.user for subscription in queryset.select_related("user")}
            for user in users:
                subscription_change(user=user, plan=data["plan"], changed_by=request.user, note=data["note"])
            return f"Moved {len(users)} user(s) to {data['plan']}."

        return _action_form(self, request, queryset, form_class=PlanChangeForm, title="Change plan", apply=apply)

    def has_grant_permission(self, request) -> bool:
        return _can_grant(request)

    @admin.action(description="Grant extra designs for today…", permissions=["grant"])
    def grant_today(self, request, queryset):
        users = {subscription.user for subscription in queryset.select_related("user")}
        return _grant_form(self, request, queryset, subjects=[(user, "") for user in users])


def _can_grant(request) -> bool:
    # A grant is a ledger entry: whoever may add ledger entries may grant (superusers, or a granted permission).
    return request.user.has_perm("billing.add_usageentry")


def _grant_form(modeladmin, request, queryset, *, subjects: list[tuple]) -> TemplateResponse | None:
    def apply(data: dict) -> str:
        for user, guest_ip in subjects:
            quota_grant(user=user, guest_ip=guest_ip, units=data["units"], granted_by=request.user,
                        note=data["note"])
        return f"Granted {data['units']} extra design(s) for today to {len(subjects)} account(s) or network(s)."

    return _action_form(modeladmin, request, queryset, form_class=GrantForm, title="Grant extra designs",
                        apply=apply)


@admin.register(DailyUsage)
class DailyUsageAdmin(ReadOnlyAdmin):
    list_display = ["day", "subject", "used", "granted"]
    list_select_related = ["user"]
    search_fields = ["user__email", "guest_ip"]
    date_hierarchy = "day"
    actions = ["grant_today"]

    @admin.display(description="user or guest network")
    def subject(self, row: DailyUsage) -> str:
        return str(row.user or row.guest_ip)

    def has_grant_permission(self, request) -> bool:
        return _can_grant(request)

    @admin.action(description="Grant extra designs for today…", permissions=["grant"])
    def grant_today(self, request, queryset):
        subjects = {(row.user, row.guest_ip) for row in queryset.select_related("user")}
        return _grant_form(self, request, queryset, subjects=sorted(subjects, key=str))


@admin.register(UsageEntry)
class UsageEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "subject", "units", "day", "plan_code", "design_id", "upscale_id", "note",
                    "created_by"]
    list_filter = ["kind", "plan_code"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__email", "guest_ip", "note"]
    date_hierarchy = "created_at"

    @admin.display(description="user or guest network")
    def subject(self, entry: UsageEntry) -> str:
        return str(entry.user or entry.guest_ip)


@admin.register(GpuCharge)
class GpuChargeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "design_id", "upscale_id", "attempt", "completed", "user", "guest_ip", "plan_code",
                    "gpu_type", "gpu_seconds", "cost_usd", "day"]
    list_filter = ["completed", "gpu_type", "plan_code", "day"]
    list_select_related = ["user"]
    search_fields = ["user__email", "guest_ip"]
    date_hierarchy = "day"


@admin.register(UsageReport)
class UsageReportAdmin(ReadOnlyAdmin):
    """Not a list: the report page, in the billing section of the admin index."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = _days_param(request.GET.get("days"))
        period = reports.Period.last(days)
        day_rows = reports.report_days(period=period)
        plan_codes, plan_rows = reports.report_plans(period=period)
        context = {
            **self.admin_site.each_context(request),
            "title": "Usage report", "opts": self.model._meta, "days": days, "day_choices": [1, 7, 14, 30, 90],
            "period": period, "day_rows": day_rows, "totals": reports.report_totals(day_rows),
            "plan_codes": plan_codes, "plan_rows": plan_rows,
            "top_users": reports.report_top_users(period=period),
            "top_guests": reports.report_top_guests(period=period),
            "spend_today": gpu_spend(day=utc_today()), "budget": conf.daily_budget_usd(),
        }
        return TemplateResponse(request, "admin/billing/usage_report.html", context)


def _days_param(value: str | None) -> int:
    try:
        return min(max(int(value or 14), 1), 90)
    except ValueError:
        return 14
