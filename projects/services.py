"""Writes to projects: create, add photos, apply choices to all, re-roll a photo, delete.

Every design of a project is made by designs.services.design_create (the same upload checks, plan limits,
rate limits and quota as any design), inside one transaction per request: when one of them is refused (the
quota runs out at the third photo), none is kept and nothing is counted. Reads live in projects/selectors.py.
"""
from __future__ import annotations

import logging
import posixpath
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.requester import Requester
from core.errors import ApiError
from designs.files import file_delete, file_save, folder_delete
from designs.models import Design, Status
from designs.services import design_cancel, design_create, design_delete
from designs.uploads import normalize_upload
from projects.models import Project, ProjectDesign, ProjectPhoto

log = logging.getLogger(__name__)

MAX_PHOTOS = 24
SUPERSEDED_MESSAGE = "Replaced by the project's new choices (not started: the image was given back)"
# The one set of choices a project keeps (besides its style); a photo's room type overrides room_type.
CHOICE_FIELDS = ("room_type", "keep_furniture", "color_palette", "wall_color", "flooring", "prompt", "creativity",
                 "variations", "resolution")


def new_seed() -> int:
    return secrets.randbelow(2**32)


def project_create(*, requester: Requester, name: str, choices: dict, images: list,
                   room_types: list[str] = ()) -> Project:
    """A project of `images` (validated like any upload before anything is stored or counted), one design
    each, all with the project's seed and choices; `room_types`: each photo's own, if given."""
    photos = _photos_read(images, room_types, existing=0)
    project = Project(owner=requester.user, name=name.strip() or "My home", seed=new_seed(), **_split(choices))
    return _with_designs(requester, project, photos=photos, new_photos=True)


def project_photos_add(*, requester: Requester, project: Project, images: list,
                       room_types: list[str] = ()) -> list[ProjectPhoto]:
    photos = _photos_read(images, room_types, existing=project.photos.count())
    _with_designs(requester, project, photos=photos, new_photos=True)
    return list(project.photos.order_by("-position")[: len(photos)])


def project_apply(*, requester: Requester, project: Project, choices: dict) -> Project:
    """New choices for the whole home: a new design of every photo, and a new look (a new leader)."""
    fields = _split(choices)
    project.style, project.choices = fields["style"], fields["choices"]
    # The old reference file stays in the project's folder until the project goes (designs may be using it).
    project.reference.name, project.reference_design, project.reference_since = "", None, timezone.now()
    older = list(Design.objects.filter(project_link__project=project, status=Status.QUEUED).values_list("pk",
                                                                                                       flat=True))
    return _with_designs(requester, project, photos=list(project.photos.all()), new_photos=False,
                         then=lambda: _supersede(older))


def _supersede(design_ids: list) -> None:
    """The older designs that had not started when new choices were applied: cancelled and their quota given
    back (they would only run with the old choices, without the new look). Running ones finish as usual; they
    never lead the new look (projects/consistency.py) and stay in their photo's history."""
    for design in Design.objects.filter(pk__in=design_ids, status=Status.QUEUED):
        try:
            design_cancel(design=design)
        except ApiError:
            continue  # it started (or ended) meanwhile: it finishes as a running one does
        Design.objects.filter(pk=design.pk).update(message=SUPERSEDED_MESSAGE, metadata={
            **design.metadata, "project": {**design.metadata.get("project", {}), "superseded": True}})


def photo_reroll(*, requester: Requester, photo: ProjectPhoto) -> Design:
    """Another result of one photo: a new seed for that photo only (kept on the photo and its new design)."""
    photo.seed = new_seed()
    project = photo.project
    _with_designs(requester, project, photos=[photo], new_photos=False)
    return photo.links.select_related("design").first().design


def project_delete(*, project: Project) -> None:
    """Every design through design_delete (its files go with it), then the project's own files and rows. The
    newest go first: the pilot, last, then has no waiting design left to hand over to."""
    for design in Design.objects.filter(project_link__project=project).order_by("-created_at"):
        design_delete(design=design)
    folder_delete(project.storage_prefix)
    project.delete()


def projects_delete_for(*, user) -> None:
    for project in Project.objects.filter(owner=user):
        project_delete(project=project)


def _split(choices: dict) -> dict:
    return {"style": choices["style"],
            "choices": {key: choices[key] for key in CHOICE_FIELDS if choices.get(key) not in (None, "", [])}}


def _photos_read(images: list, room_types, *, existing: int) -> list[tuple[bytes, str]]:
    """(normalized JPEG, room type) per upload. An image is refused by its own field name, with its number."""
    if not images:
        raise ApiError("required", "Attach at least one photo of the home.", field="images")
    if len(images) > settings.PROJECT_UPLOAD_MAX_PHOTOS:
        raise ApiError("too_many_photos", f"Send up to {settings.PROJECT_UPLOAD_MAX_PHOTOS} photos at a time.",
                       field="images")
    if existing + len(images) > MAX_PHOTOS:
        raise ApiError("too_many_photos", f"A project holds up to {MAX_PHOTOS} photos.", field="images")
    if len(room_types) > len(images):
        raise ApiError("invalid", "Give at most one room type per photo.", field="room_types")
    room_types = [*room_types, *[""] * (len(images) - len(room_types))]
    read = []
    for number, (image, room_type) in enumerate(zip(images, room_types, strict=True), start=1):
        try:
            read.append((normalize_upload(image).content, room_type))
        except ApiError as error:
            raise ApiError(error.error_code, f"Photo {number}: {error.detail}", field="images",
                           status_code=error.status_code) from None
    return read


def _with_designs(requester: Requester, project: Project, *, photos: list, new_photos: bool,
                  then=None) -> Project:
    """Save the project (and new photos) and one design per photo, all or nothing (with `then`, run last in the
    same transaction)."""
    stored: list[str] = []
    folders: list[str] = []
    try:
        with transaction.atomic():
            project.save()
            if new_photos:
                photos = _photos_store(project, photos, stored)
            for photo in photos:
                photo.save()
                design = _design_for(requester, project, photo)
                folders.append(posixpath.dirname(design.original.name))
            if then is not None:
                then()
    except BaseException:
        for name in stored:  # the rolled-back photos' and designs' files
            file_delete(name)
        for folder in folders:
            folder_delete(folder)
        raise
    return project


def _photos_store(project: Project, photos: list[tuple[bytes, str]], stored: list[str]) -> list[ProjectPhoto]:
    last = project.photos.aggregate(last=Max("position"))["last"]
    start = 0 if last is None else last + 1
    created = []
    for offset, (content, room_type) in enumerate(photos):
        photo = ProjectPhoto(project=project, position=start + offset, room_type=room_type)
        photo.original.name = file_save(f"{project.storage_prefix}/photo-{photo.id}.jpg", content)
        stored.append(photo.original.name)
        created.append(photo)
    return created


def _design_for(requester: Requester, project: Project, photo: ProjectPhoto) -> Design:
    seed = photo.effective_seed
    params = {"style": project.style, **project.choices, "seed": seed}
    if photo.room_type:
        params["room_type"] = photo.room_type
    with default_storage.open(photo.original.name, "rb") as original:
        image = ContentFile(original.read(), name="photo.jpg")
    design, _created = design_create(requester=requester, image=image, params=params)
    Design.objects.filter(pk=design.pk).update(metadata={"project": {
        "id": str(project.pk), "photo": str(photo.pk), "seed": seed, "role": ProjectDesign.Role.WAITING,
        "reference": None}})
    ProjectDesign.objects.create(design=design, project=project, photo=photo, seed=seed)
    return design

