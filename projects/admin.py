"""Projects in the admin: the list, each project's photos and designs inline, and links both ways (a design's
page shows the project it belongs to)."""
from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import ReadOnlyStackedInline, ReadOnlyTabularInline
from designs.admin import DesignAdmin
from designs.files import file_url
from projects.models import Project, ProjectDesign, ProjectPhoto
from projects.services import project_delete


def _design_link(design_id) -> str:
    if not design_id:
        return "-"
    return format_html('<a href="{}">{}</a>', reverse("admin:designs_design_change", args=[design_id]), design_id)


class ProjectPhotoInline(ReadOnlyTabularInline):
    model = ProjectPhoto
    fields = ["position", "preview", "room_type", "seed", "created_at"]

    @admin.display(description="Photo")
    def preview(self, photo: ProjectPhoto) -> str:
        return format_html('<img src="{}" alt="photo {}" style="max-height:90px">', file_url(photo.original.name),
                           photo.position + 1)


class ProjectDesignInline(ReadOnlyTabularInline):
    model = ProjectDesign
    fk_name = "project"
    fields = ["design_link", "photo", "status", "seed", "role", "reference_link", "created_at"]

    @admin.display(description="Design")
    def design_link(self, link: ProjectDesign) -> str:
        return _design_link(link.design_id)

    @admin.display(description="Status")
    def status(self, link: ProjectDesign) -> str:
        return link.design.status

    @admin.display(description="Ran with the reference of")
    def reference_link(self, link: ProjectDesign) -> str:
        return _design_link(link.reference_from_id)


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "style", "seed", "photo_count", "leader", "created_at"]
    list_filter = ["style", "created_at"]
    search_fields = ["id", "name", "owner__email"]
    readonly_fields = ["id", "owner", "name", "style", "choices", "seed", "reference_preview", "leader",
                       "reference_since", "created_at", "updated_at"]
    fields = readonly_fields
    inlines = [ProjectPhotoInline, ProjectDesignInline]

    def has_add_permission(self, request) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")

    @admin.display(description="Photos")
    def photo_count(self, project: Project) -> int:
        return project.photos.count()

    @admin.display(description="Leader")
    def leader(self, project: Project) -> str:
        return _design_link(project.reference_design_id)

    @admin.display(description="Style reference")
    def reference_preview(self, project: Project) -> str:
        if not project.reference:
            return "none yet"
        return format_html('<img src="{}" alt="reference" style="max-height:160px">', file_url(project.reference.name))

    def delete_model(self, request, obj: Project) -> None:
        project_delete(project=obj)  # its designs' files and its own go too

    def delete_queryset(self, request, queryset) -> None:
        for project in queryset:
            project_delete(project=project)


class ProjectLinkInline(ReadOnlyStackedInline):
    """On a design's admin page: the project it belongs to, with a link to it."""

    model = ProjectDesign
    fk_name = "design"
    fields = ["project_link", "photo", "seed", "role", "reference_from"]
    verbose_name = verbose_name_plural = "project"

    @admin.display(description="Project")
    def project_link(self, link: ProjectDesign) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:projects_project_change", args=[link.project_id]),
                           link.project.name)


# The design admin is the designs app's; the link back is added from here so that designs/admin.py need not know
# about projects (the projects app loads after designs, so DesignAdmin is registered by now).
DesignAdmin.inlines = [*DesignAdmin.inlines, ProjectLinkInline]
