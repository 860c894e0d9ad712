"""Operators' side of billing: plans, plan changes, grants, the read-only ledger and the usage report."""
from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html_join

from billing import charts, conf, reports
from billing.forms import GrantForm, PlanChangeForm
from billing.models import (
    DailyUsage,
    GpuCharge,
    Plan,
    StripeCustomer,
    StripeEvent,
    Subscription,
    UsageEntry,
    UsageReport,
)
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
                    "monthly_price", "quick_drafts", "upscales", "upscale_images", "stripe_price_id",
                    "current_subscriptions"]
    list_editable = ["daily_limit", "max_variations", "max_resolution", "queue_priority", "monthly_price",
                     "quick_drafts", "stripe_price_id"]
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

    list_display = ["user", "plan", "started_at", "ended_at", "is_current", "changed_by", "stripe_subscription_id",
                    "note"]
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
        budget = conf.daily_budget_usd()
        context = {
            **self.admin_site.each_context(request),
            "title": "Usage report", "opts": self.model._meta, "days": days, "day_choices": [1, 7, 14, 30, 90],
            "period": period, "day_rows": day_rows, "totals": reports.report_totals(day_rows),
            "plan_codes": plan_codes, "plan_rows": plan_rows,
            "top_users": reports.report_top_users(period=period),
            "top_guests": reports.report_top_guests(period=period),
            "engine_rows": reports.report_engines(period=period),
            "layout_rows": (layout_rows := reports.report_layout(period=period)),
            "spend_today": gpu_spend(day=utc_today()), "budget": budget,
            "charts": _report_charts(day_rows=day_rows, plan_codes=plan_codes, plan_rows=plan_rows, budget=budget,
                                     times=reports.report_processing_times(period=period), layout_rows=layout_rows),
        }
        return TemplateResponse(request, "admin/billing/usage_report.html", context)


def _report_charts(*, day_rows: list[dict], plan_codes: list[str], plan_rows: list[dict], budget, times: dict,
                   layout_rows: list[dict] = ()) -> list[tuple[str, str]]:
    """The report's numbers as (title, SVG) pairs, oldest day on the left (the tables list the newest first)."""
    days = [row["day"] for row in reversed(day_rows)]
    labels = [day.strftime("%b %d") for day in days]
    plans = list(reversed(plan_rows))

    def per_plan(key: str) -> list[charts.Series]:
        return [charts.Series(code, [row[key][i] for row in plans]) for i, code in enumerate(plan_codes)
                if any(row[key][i] for row in plans)]

    span = f"{days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d} (UTC)"
    cost = [float(row["cost_usd"]) for row in reversed(day_rows)]
    drawn = [
        charts.bar_chart(title="Designs per day by plan", labels=labels, series=per_plan("designs"),
                         y_label="designs", counts=True, desc=f"Designs submitted each day, stacked by plan, {span}."),
        charts.bar_chart(title="Images per day by plan", labels=labels, series=per_plan("images"),
                         y_label="images", counts=True,
                         desc=f"Images used (reserved minus refunded) each day by plan, {span}."),
        charts.line_chart(title="Success rate", labels=labels, y_max=100, unit="%", y_label="completed / ended",
                          series=[charts.Series("success", [row["success_percent"] for row in reversed(day_rows)])],
                          desc=f"Completed designs out of those that completed or failed, per day, {span}; "
                               "no point on a day without any."),
        charts.bar_chart(title="GPU cost against the daily budget", labels=labels, unit="$", y_label="US dollars",
                         series=[charts.Series("GPU cost", cost)],
                         reference=(float(budget), "budget") if budget else None,
                         desc=f"GPU dollars charged per day, {span}"
                              + (f", against the daily budget of ${budget}." if budget else "; no budget is set.")),
        charts.line_chart(title="Processing time", labels=labels, unit="s", y_label="seconds",
                          series=[charts.Series(name, [times[day][key] if day in times else None for day in days])
                                  for name, key in (("median (p50)", "p50"), ("95th percentile", "p95"))],
                          desc=f"Seconds from a worker's start to the result, of completed designs, per day, {span}."),
        charts.line_chart(title="Layout kept", labels=labels, y_max=100, unit="%", y_label="kept / measured",
                          series=[charts.Series(engine, values) for engine, values
                                  in reports.layout_kept_by_engine(list(layout_rows), days).items()],
                          desc=f"Share of results that kept the room's layout (score at or above the threshold after "
                               f"the retry), per day and engine, {span}; no point on a day without any."),
    ]
    return [(chart.title, chart) for chart in drawn]


def _days_param(value: str | None) -> int:
    try:
        return min(max(int(value or 14), 1), 90)
    except ValueError:
        return 14


@admin.register(StripeCustomer)
class StripeCustomerAdmin(ReadOnlyAdmin):
    """Each paying (or once paying) account: its Stripe customer, subscription and recent billing events.
    Written only by the Stripe sync; staff change plans with Subscriptions, refunds and cancellations in Stripe."""

    list_display = ["user", "customer_id", "subscription_id", "subscription_status", "price_id",
                    "current_period_end", "cancel_at_period_end", "synced_at"]
    list_filter = ["subscription_status", "cancel_at_period_end"]
    list_select_related = ["user"]
    search_fields = ["user__email", "customer_id", "subscription_id"]
    fields = ["user", "customer_id", "subscription_id", "subscription_status", "price_id", "current_period_end",
              "cancel_at_period_end", "created_at", "synced_at", "recent_events", "plan_history"]
    readonly_fields = fields

    @admin.display(description="recent billing events")
    def recent_events(self, record: StripeCustomer):
        events = StripeEvent.objects.filter(customer_id=record.customer_id).order_by("-received_at")[:20]
        return format_html_join(
            "", "<div>{} · {} · <code>{}</code> · {}</div>",
            ((event.received_at.strftime("%Y-%m-%d %H:%M:%S"), event.type, event.event_id, event.outcome)
             for event in events),
        ) or "none yet"

    @admin.display(description="plan history")
    def plan_history(self, record: StripeCustomer):
        rows = Subscription.objects.filter(user_id=record.user_id).select_related("plan")[:20]
        return format_html_join(
            "", "<div>{} → {} · {} · {}</div>",
            ((row.started_at.strftime("%Y-%m-%d %H:%M:%S"),
              row.ended_at.strftime("%Y-%m-%d %H:%M:%S") if row.ended_at else "now", row.plan.name, row.note)
             for row in rows),
        )


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "type", "event_id", "customer_id", "user", "outcome", "created"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["event_id", "customer_id", "user__email"]
    date_hierarchy = "received_at"
