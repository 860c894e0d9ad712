"""Projects: several photos of one home restyled with one set of choices, so the results look like one home.

A project holds the choices, a shared seed and a shared style reference (the first accepted result of the
project: projects/consistency.py). Each photo is a slot; each design made of a photo is linked to it through
ProjectDesign, and the latest one is the one shown. Design itself is untouched: a project is a layer above it.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from designs.models import Design


def project_prefix(project: Project) -> str:
    return f"projects/u{project.owner_id}/{project.id}"


class Project(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=120)
    style = models.CharField(max_length=40)
    # The rest of the one set of choices, as design preferences are kept (designs.services.PREFERENCE_FIELDS):
    # room_type (a default; each photo may have its own), color_palette, wall_color, flooring, prompt,
    # creativity, keep_furniture, variations, resolution.
    choices = models.JSONField(default=dict, blank=True)
    seed = models.BigIntegerField(help_text="Every design of the project uses it (unless a photo was re-rolled).")
    # The shared style reference: the first result of the leader (the first accepted design since the choices
    # were last applied). Private, in the project's folder; each design that uses it gets its own copy.
    reference = models.FileField(max_length=255, blank=True)
    reference_design = models.ForeignKey(Design, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                         help_text="The leader: the design whose first result is the reference.")
    # Designs created before this do not qualify as the leader (apply to all with new choices resets the look).
    reference_since = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def storage_prefix(self) -> str:
        return project_prefix(self)


class ProjectPhoto(models.Model):
    """One photo of the home (a room or an angle): a slot whose latest design is the one shown."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField()
    original = models.FileField(max_length=255)
    room_type = models.CharField(max_length=40, blank=True)
    # Set by a re-roll: this photo's own seed from then on; None: the project's.
    seed = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["project", "position"], name="project_photo_position")]

    def __str__(self) -> str:
        return f"photo {self.position + 1} of {self.project}"

    @property
    def effective_seed(self) -> int:
        return self.seed if self.seed is not None else self.project.seed


class ProjectDesign(models.Model):
    """A design made of a project's photo, and what it shares with the project."""

    class Role(models.TextChoices):
        WAITING = "waiting"  # queued until the project has a reference, or until it is its turn to lead
        PILOT = "pilot"  # runs without a reference: the first of the project to run since the choices changed
        LEADER = "leader"  # a pilot whose first result became the project's reference
        FOLLOWER = "follower"  # ran with the project's reference

    design = models.OneToOneField(Design, primary_key=True, on_delete=models.CASCADE, related_name="project_link")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    photo = models.ForeignKey(ProjectPhoto, on_delete=models.CASCADE, related_name="links")
    seed = models.BigIntegerField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.WAITING)
    reference_from = models.ForeignKey(Design, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       help_text="The leader whose result this design ran with.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["photo", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.design_id} in {self.project}"
