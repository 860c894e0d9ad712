"""A user's projects in their data export (accounts/export_zip.py): choices, seed, photos, the shared reference,
and which designs belong to which photo (the designs themselves are exported with every other design)."""
from __future__ import annotations

from collections.abc import Callable

from projects.models import Project


def projects_export(*, user, copy: Callable[[str, str], str | None]) -> list[dict]:
    """`copy(stored name, path in the ZIP)` copies a file into the ZIP and returns its path there."""
    rows = []
    for project in Project.objects.filter(owner=user).order_by("created_at").prefetch_related("photos__links"):
        folder = f"projects/{project.pk}"
        rows.append({
            "id": str(project.pk), "name": project.name, "style": project.style, "choices": project.choices,
            "seed": project.seed, "created_at": project.created_at,
            "reference": copy(project.reference.name, f"{folder}/reference.jpg") if project.reference else None,
            "reference_design": str(project.reference_design_id) if project.reference_design_id else None,
            "photos": [
                {"id": str(photo.pk), "position": photo.position, "room_type": photo.room_type or None,
                 "seed": photo.effective_seed,
                 "original": copy(photo.original.name, f"{folder}/photo-{photo.position + 1}.jpg"),
                 "designs": [{"id": str(link.design_id), "seed": link.seed, "role": link.role,
                              "reference_from": str(link.reference_from_id) if link.reference_from_id else None}
                             for link in photo.links.all()]}
                for photo in project.photos.all()],
        })
    return rows
