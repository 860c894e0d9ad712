"""What makes a project's results look like one home: a shared style reference, taken from its first
accepted result, that every other design of the project runs with.

The worker asks `design_gate` before it claims a design. A project's designs do not all run at once without a
reference: while the project has none, only its oldest unfinished design without one (the pilot) runs; the
others wait. The first design to complete and be accepted (not failed, its first result not layout-refunded)
since the choices were last applied is the leader: its first result becomes the project's reference, and each
waiting design gets a copy in its own folder (Design.reference) before it runs.

Waiting takes no claim, so it is no attempt and charges nothing: the waiting design's message is sent again
after PROJECT_WAIT_POLL_SECONDS (one chain of such messages per design: a cache key drops duplicates). Each
wait moves the design's queued_at and deadline forward, so neither the reaper's resend nor its deadline acts
on a design that is only waiting its turn; if the chain is lost (a crashed worker, a Redis restart), queued_at
stops moving and the reaper sends the design again. A pilot that fails or is cancelled is no longer unfinished,
so the next oldest design becomes the pilot; every pilot has its own deadline, so the wait always ends.
Polling is the fallback: when a design ends (completed, failed, timed out or cancelled), `design_ended` is
called after the commit and releases the designs it frees at once.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from designs.files import file_delete, file_save
from designs.models import FINISHED, Design, Status
from designs.progress import publish_state
from designs.queues import design_send
from projects.models import Project, ProjectDesign

log = logging.getLogger(__name__)

WAIT_MESSAGE = "Waiting for the project's first result, to match its style..."
Role = ProjectDesign.Role


def design_gate(design_id) -> bool:
    """True: the worker may claim the design now. False: it waits for its project (and was sent again)."""
    link = ProjectDesign.objects.filter(design_id=design_id).only("design_id", "project_id", "role").first()
    if link is None or link.role != Role.WAITING:
        return True  # not in a project, or already released (a retry after a transient error: as before)
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=link.project_id).first()
        design = Design.objects.filter(pk=design_id, status=Status.QUEUED).first()
        if project is None or design is None:
            return True  # deleted or no longer queued: the claim decides (it finds nothing to do)
        reference_take(project)
        if project.reference:
            _release(design, project, Role.FOLLOWER)
            return True
        if _pilot_id(project) == design.pk:
            _release(design, project, Role.PILOT)
            return True
    _wait(design)
    return False


def design_ended(design_id) -> None:
    """A project's design has ended: take the reference if it completed and leads, and release the designs it
    frees at once (every waiting one when there is a reference now, else the next pilot: after a failed or
    cancelled one), instead of at their next look. Their messages go right after the commit; each still has its
    waiting chain as the fallback, and the claim runs a design once whichever message comes first. Never raises:
    the design's own end is done, and the waiting designs poll anyway."""
    try:
        _release_freed(design_id)
    except Exception:
        log.exception("design %s: releasing its project's waiting designs failed (they poll)", design_id)


def _release_freed(design_id) -> None:
    link = ProjectDesign.objects.filter(design_id=design_id).only("design_id", "project_id").first()
    if link is None:
        return
    released: list[Design] = []
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=link.project_id).first()
        if project is None:
            return
        reference_take(project)
        waiting = (Design.objects.filter(project_link__project=project, project_link__role=Role.WAITING,
                                         status=Status.QUEUED).order_by("created_at", "id"))
        if project.reference:
            released = [design for design in waiting if _release(design, project, Role.FOLLOWER)]
        else:
            pilot = waiting.filter(pk=_pilot_id(project)).first()
            released = [pilot] if pilot is not None and _release(pilot, project, Role.PILOT) else []
        transaction.on_commit(lambda: [design_send(design.pk, priority=design.queue_priority)
                                       for design in released])
    if released:
        log.info("project %s: %d design(s) released at once", link.project_id, len(released))


def reference_take(project: Project) -> None:
    """Make the first accepted result since the choices were applied the project's reference, if there is one
    and the project has none yet. The caller holds the project's row lock."""
    if project.reference:
        return
    candidates = (Design.objects.filter(project_link__project=project, status=Status.COMPLETED,
                                        created_at__gte=project.reference_since)
                  .prefetch_related("results").order_by("finished_at", "created_at"))
    for leader in candidates:
        first = next(iter(leader.results.all()), None)
        if first is None or first.layout_kept is False:
            continue  # its layout was refunded: not a result to build the home's look on
        with first.image.open("rb") as stored:
            image = stored.read()
        project.reference.name = file_save(f"{project.storage_prefix}/reference.jpg", image)
        project.reference_design = leader
        project.save(update_fields=["reference", "reference_design", "updated_at"])
        ProjectDesign.objects.filter(design=leader).update(role=Role.LEADER, reference_from=leader)
        leader.metadata = {**leader.metadata, "project": {**leader.metadata.get("project", {}),
                                                          **_reference_record(leader, image), "role": Role.LEADER}}
        Design.objects.filter(pk=leader.pk).update(metadata=leader.metadata)
        log.info("project %s: design %s leads, its first result is the reference", project.pk, leader.pk)
        return


def _reference_record(leader: Design, image: bytes) -> dict:
    return {"reference": {"from_design": str(leader.pk), "sha256": hashlib.sha256(image).hexdigest()}}


def _pilot_id(project: Project):
    """The one design of the project that may run without a reference: its oldest unfinished one without, made
    since the choices were last applied (a superseded design still running does not hold the new ones back)."""
    return (Design.objects.filter(project_link__project=project, reference="", created_at__gte=project.reference_since)
            .exclude(status__in=FINISHED)
            .order_by("created_at", "id").values_list("pk", flat=True).first())


def _release(design: Design, project: Project, role: str) -> bool:
    """Let the design run: a follower with its own copy of the reference, a pilot without one. Its deadline
    starts now: the wait was not its run. False: it was no longer queued (cancelled under us)."""
    record = {**design.metadata.get("project", {}), "role": role, "reference": None}
    reference_name = ""
    if role == Role.FOLLOWER:
        with project.reference.open("rb") as stored:
            image = stored.read()
        reference_name = file_save(f"{design.storage_prefix}/reference.jpg", image)
        record.update(_reference_record(project.reference_design or design, image))
        if project.reference_design_id is None:
            record["reference"]["from_design"] = None  # the leader was deleted since; the image stays
    released = Design.objects.filter(pk=design.pk, status=Status.QUEUED).update(
        reference=reference_name, metadata={**design.metadata, "project": record},
        deadline_at=timezone.now() + timedelta(seconds=settings.DESIGN_DEADLINE_SECONDS),
    )
    if not released:
        file_delete(reference_name)
        return False  # cancelled under us: the claim finds nothing
    ProjectDesign.objects.filter(design=design).update(
        role=role, reference_from=project.reference_design if role == Role.FOLLOWER else None)
    return True


def _wait(design: Design) -> None:
    now = timezone.now()
    fields = {"queued_at": now, "deadline_at": now + timedelta(seconds=settings.DESIGN_DEADLINE_SECONDS)}
    first_wait = design.message != WAIT_MESSAGE
    if first_wait:
        fields.update(message=WAIT_MESSAGE, seq=F("seq") + 1)
    if not Design.objects.filter(pk=design.pk, status=Status.QUEUED).update(**fields):
        return
    if first_wait:
        design.refresh_from_db()
        publish_state(design, event_type="progress")
    poll = settings.PROJECT_WAIT_POLL_SECONDS
    # One chain of delayed messages per waiting design: a second message (a redelivery, the reaper's resend)
    # arriving while the key lives is dropped here instead of starting a second chain. The key lives a second less
# than the delay, so that the chain's own next message finds it gone.
    if cache.add(f"projects:wait:{design.pk}", 1, timeout=poll - 1):
        design_send(design.pk, priority=design.queue_priority, delay_ms=poll * 1000)
