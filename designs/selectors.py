from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.requester import Requester
from designs.links import is_link_design
from designs.models import Design


def design_list_for(requester: Requester, *, status: str | None = None, style: str | None = None) -> QuerySet:
    if requester.user is not None:
        designs = Design.objects.filter(owner=requester.user)
    elif requester.guest_key:
        designs = Design.objects.filter(owner=None, guest_key=requester.guest_key)
    else:
        designs = Design.objects.none()
    if status:
        designs = designs.filter(status__in=status.split(","))
    if style:
        designs = designs.filter(style=style)
    return designs.prefetch_related("results").order_by("-created_at")


def design_get_for(requester: Requester, design_id) -> Design:
    """The requester's design, or 404: another user's design looks exactly like a missing one."""
    design = Design.objects.prefetch_related("results").filter(pk=design_id).first()
    if design is None or not requester.owns(design):
        raise Http404
    return design


def design_get_by_job_id(requester: Requester, design_id) -> Design:
    """The compatibility routes' read: the requester's own design, or a link design to anyone with its id."""
    design = Design.objects.prefetch_related("results").filter(pk=design_id).first()
    if design is None or not (requester.owns(design) or is_link_design(design)):
        raise Http404
    return design
