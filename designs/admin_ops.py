"""The live operations page in the admin (Designs → Operations): queues, designs by status, workers and what
they run, engines, readiness, today's budget and open alerts. Staff only; it refreshes itself every few
seconds by fetching its own body again (plain JS; without JS a meta refresh reloads the page)."""
from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from billing.admin import ReadOnlyAdmin
from designs import ops
from designs.alerts import title
from designs.models import AlertIncident, Operations


def age(seconds: float | None) -> str:
    """3 s, 4 min 10 s, 2 h 5 min; an em dash for nothing."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


@admin.register(Operations)
class OperationsAdmin(ReadOnlyAdmin):
    """Not a list: the operations page."""

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        snapshot = ops.snapshot()
        context = {
            **self.admin_site.each_context(request),
            "title": "Operations", "opts": self.model._meta, "refresh_seconds": settings.OPS_REFRESH_SECONDS,
            "ops": snapshot, **_display(snapshot),
        }
        template = "admin/designs/operations_body.html" if request.GET.get("partial") else \
            "admin/designs/operations.html"
        return TemplateResponse(request, template, context)  # the admin marks it never_cache


def _display(snapshot: dict) -> dict:
    """What the template shows, worked out here: ages as words, titles of alerts, failing readings."""
    queues = snapshot["queues"]
    workers = snapshot["workers"]
    failures = snapshot["failures"]
    return {
        "queue_rows": [] if "error" in queues else [
            {"name": name, **depth, "oldest": age(depth["oldest_seconds"])} for name, depth in queues.items()],
        "worker_rows": [] if isinstance(workers, dict) else [
            {**worker, "busy": len(worker.get("running", [])),
             "jobs": [{**job, "for": age(job.get("seconds"))} for job in worker.get("running", [])]}
            for worker in workers],
        "oldest_queued": age(snapshot["oldest_queued_design_seconds"])
        if not isinstance(snapshot["oldest_queued_design_seconds"], dict) else "unknown",
        "alert_rows": [] if isinstance(snapshot["alerts"], dict) else [
            {"title": title(incident.alert), "summary": incident.summary, "opened_at": incident.opened_at}
            for incident in snapshot["alerts"]],
        "failure_percent": None if "error" in failures or failures["rate"] is None else round(100 * failures["rate"]),
        "errors": sorted(name for name, value in snapshot.items() if isinstance(value, dict) and "error" in value),
    }


@admin.register(AlertIncident)
class AlertIncidentAdmin(ReadOnlyAdmin):
    """Every alert sent, when it started and when it was resolved."""

    list_display = ["opened_at", "alert", "summary", "resolved_at", "resolved_summary"]
    list_filter = ["alert", "opened_at"]
    date_hierarchy = "opened_at"
