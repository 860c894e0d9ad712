"""Remedies staff apply from the admin, each through the product's own services and recorded in the audit
log (StaffAction): who, when, what, to what, and why."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from designs.models import Design, StaffAction, Status
from designs.worker import design_resend


def staff_action_record(*, staff, action: str, reason: str, design: Design | None = None, user=None) -> StaffAction:
    target = f"design {design.pk}" if design is not None else f"user {user.email}"
    return StaffAction.objects.create(staff=staff, action=action, target=target[:200], design=design, user=user,
                                      reason=reason[:300])


def design_remove(*, design: Design, staff, reason: str) -> None:
    """Delete the design and every stored file of it, through design_delete; the audit row keeps its id."""
    from designs.services import design_delete

    staff_action_record(staff=staff, action="delete_design", reason=reason, design=design)
    design_delete(design=design)


def design_refund(*, design: Design, staff, reason: str) -> bool:
    """Give the design's quota back through billing's refund (at most once per design), unless its images were
    made or it used the GPU until the person cancelled it. Audited only when it refunded."""
    from billing.services import quota_refund

    if not _staff_may_refund(design):
        return False
    with transaction.atomic():
        if not quota_refund(design=design, reason=f"staff: {reason}"):
            return False
        staff_action_record(staff=staff, action="refund", reason=reason, design=design)
    return True


def _staff_may_refund(design: Design) -> bool:
    if design.status == Status.COMPLETED or design.results.exists():
        return False  # its images were made; a lost layout was already given back (billing.layout_refund)
    return not (design.status == Status.CANCELLED and design.started_at is not None)


def user_grant(*, user, staff, units: int, reason: str) -> None:
    """Extra designs for today, through billing's grant (the ledger records them too)."""
    from billing.services import quota_grant

    with transaction.atomic():
        quota_grant(units=units, user=user, granted_by=staff, note=reason)
        staff_action_record(staff=staff, action="grant", reason=f"{units} extra: {reason}", user=user)


def user_plan_change(*, user, staff, plan, reason: str) -> None:
    """Move the user to `plan` from now on, through billing's plan change (it keeps the history)."""
    from billing.services import subscription_change

    with transaction.atomic():
        subscription_change(user=user, plan=plan, changed_by=staff, note=reason)
        staff_action_record(staff=staff, action="change_plan", reason=f"to {plan.code}: {reason}", user=user)


def user_disable(*, user, staff, reason: str) -> bool:
    """Stop a user: no new sign-in, every API token revoked and every session ended.

    An inactive user's session no longer authenticates (Django's ModelBackend refuses inactive users on every
    request, as the token authentication does), and their session rows are deleted too. Returns False when the
    user was already disabled."""
    from accounts.models import ApiToken

    with transaction.atomic():
        if not type(user).objects.filter(pk=user.pk, is_active=True).update(is_active=False):
            return False
        ApiToken.objects.filter(user=user).delete()
        staff_action_record(staff=staff, action="disable_user", reason=reason, user=user)
    _sessions_end(user)
    return True


def _sessions_end(user) -> None:
    # Database sessions keep the user id inside the encoded data: read the unexpired ones to find theirs.
    from django.contrib.sessions.models import Session

    mine = [s.pk for s in Session.objects.filter(expire_date__gt=timezone.now())
            if s.get_decoded().get("_auth_user_id") == str(user.pk)]
    Session.objects.filter(pk__in=mine).delete()


def design_retry(*, design: Design, staff, reason: str) -> bool:
    """Queue a failed design again, as a fresh run with the full number of attempts and a new deadline.

    No second charge: the quota is not reserved again. The ledger allows one reservation and one refund per
    design, so a design refunded when it failed runs on the house, and if the retry fails too, its refund is a
    no-op (billing.quota_refund refunds at most once). A design that failed after making results is not
    retried: those are kept. Returns False when the design was not (or no longer) a failed one.
    """
    now = timezone.now()
    with transaction.atomic():
        retried = Design.objects.filter(pk=design.pk, status=Status.FAILED, results__isnull=True).update(
            status=Status.QUEUED, stage="", progress=0.0, message="Waiting for a free GPU...", error_code="",
            error_message="", finished_at=None, lease_until=None, attempts_before_retry=F("attempts"),
            deadline_at=now + timedelta(seconds=settings.DESIGN_DEADLINE_SECONDS), seq=F("seq") + 1,
        )
        if not retried:
            return False
        staff_action_record(staff=staff, action="retry", reason=reason, design=design)
        # The existing send: the design's plan queue, and the reaper sends it again if Redis loses the message.
        transaction.on_commit(lambda: design_resend(design.pk, delay_ms=0), robust=True)
    design.refresh_from_db()
    return True
