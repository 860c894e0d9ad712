"""Reads of projects: the owner's list and one project with its photos and their latest designs."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from accounts.requester import Requester
from designs.files import file_url
from designs.state import design_state
from projects.models import Project, ProjectDesign, ProjectPhoto


def project_list_for(requester: Requester) -> QuerySet:
    if requester.user is None:
        return Project.objects.none()
    return Project.objects.filter(owner=requester.user).order_by("-created_at")


def project_get_for(requester: Requester, project_id) -> Project:
    """The requester's project, or 404: another user's project looks exactly like a missing one."""
    project = project_list_for(requester).filter(pk=project_id).first()
    if project is None:
        raise Http404
    return project


def photo_get_for(requester: Requester, project_id, photo_id) -> ProjectPhoto:
    project = project_get_for(requester, project_id)
    photo = project.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def _photos(project: Project) -> list[ProjectPhoto]:
    links = ProjectDesign.objects.select_related("design").prefetch_related("design__results").order_by("-created_at")
    return list(project.photos.prefetch_related(Prefetch("links", queryset=links)).order_by("position"))


def project_state(project: Project) -> dict:
    """The project as the API and the dashboard show it: its choices and seed, the shared reference, and each
    photo with its latest design (the one shown) and how many it had."""
    photos = _photos(project)
    latest = [photo.links.all()[0].design if photo.links.all() else None for photo in photos]
    return {
        "id": str(project.pk),
        "name": project.name,
        "style": project.style,
        "choices": project.choices,
        "seed": project.seed,
        "reference_url": file_url(project.reference.name) if project.reference.name else None,
        "reference_design": str(project.reference_design_id) if project.reference_design_id else None,
        "created_at": project.created_at.isoformat(),
        "status": _overall(latest),
        "photos": [
            {
                "id": str(photo.pk),
                "position": photo.position,
                "room_type": photo.room_type or None,
                "seed": photo.effective_seed,
                "rerolled": photo.seed is not None,
                "original_url": file_url(photo.original.name),
                "designs_count": len(photo.links.all()),
                "design": design_state(design) if design is not None else None,
            }
            for photo, design in zip(photos, latest, strict=True)
        ],
    }


def project_summary(project: Project) -> dict:
    """A list entry: without each design's full state."""
    return {"id": str(project.pk), "name": project.name, "style": project.style, "seed": project.seed,
            "photos": project.photos.count(), "created_at": project.created_at.isoformat()}


def _overall(designs: list) -> str:
    """completed when every shown design is; in_progress while any runs or waits; else what they ended as."""
    statuses = {design.status for design in designs if design is not None}
    if not statuses:
        return "empty"
    if statuses - {"completed", "failed", "cancelled"}:
        return "in_progress"
    return "completed" if statuses == {"completed"} else "finished_with_errors"
