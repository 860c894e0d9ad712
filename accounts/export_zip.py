"""What goes into a data export, and how it is laid out in the ZIP.

    README.txt                       what each file is
    restyle-data.json                the account, plan history, usage, tokens, address changes, every design
    designs/<id>/original.jpg        the photo as stored (metadata stripped at upload)
    designs/<id>/result-<n>.jpg      each variation (.png for an edit), and result-<n>-thumbnail.jpg
    designs/<id>/result-<n>-x<f>.jpg each upscale of a variation to print size
    designs/<id>/mask.png            an edit's mask
    designs/<id>/reference.jpg       the style reference photo a design took its look from
    designs/<id>/<map>.png           the control maps (depth, edges, ...) of designs that have them
    projects/<id>/photo-<n>.jpg      each photo of a project, and reference.jpg, its shared style reference

The JSON names every file it mentions by its path in the ZIP. Images are copied from storage in chunks, never
whole into memory, and stored uncompressed (JPEG and PNG are compressed already).
"""
from __future__ import annotations

import json
import posixpath
import shutil
import zipfile
from typing import IO

from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import DataExport, User

README = """Your Restyle data, exported {exported_at} UTC for {email}.

restyle-data.json holds everything we keep about your account, in one file:
  account        your address, when you joined, whether the address is confirmed
  plan           the plan you are on now and its limits
  subscriptions  every plan you have had, from when to when (plan history)
  usage          every image counted against your daily quota (reserve), given back (refund) or
                 granted by staff, and the daily totals
  gpu_charges    what each attempt at your designs cost us on the GPU
  api_tokens     your devices' tokens (name, readable prefix, dates; never the key or its secret)
  email_changes  changes of address you asked for
  sign_ins       the sign-in audit trail (kept for staff accounts only)
  payments       your Stripe customer and subscription, and the billing events we received (if you paid)
  designs        every design: its choices, status, timings, detected furniture, errors, and the
                 paths of its files in this ZIP
  projects       every project: its choices, shared seed, photos, style reference, and which
                 designs were made of each photo

designs/<id>/ holds each design's photo (original.jpg), results (result-1.jpg, ...), their thumbnails,
upscales (result-1-x4.jpg, ...), an edit's mask (mask.png), the style reference photo you gave
(reference.jpg), and control maps when they were kept.
"""


def zip_write(target: IO[bytes], *, user: User, export: DataExport) -> None:
    now = timezone.now()
    designs = list(user.designs.order_by("created_at").prefetch_related("results"))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        design_rows = [_design(archive, design) for design in designs]
        data = {"exported_at": now, "export_id": str(export.pk), **_account(user), "designs": design_rows}
        from projects.export import projects_export

        data["projects"] = projects_export(user=user, copy=lambda name, path: _copy(archive, name, path))
        archive.writestr("restyle-data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        archive.writestr("README.txt", README.format(exported_at=now.strftime("%Y-%m-%d %H:%M"), email=user.email))


def _account(user: User) -> dict:
    from billing.models import DailyUsage, GpuCharge, UsageEntry
    from billing.selectors import plan_for_user

    plan = plan_for_user(user=user)
    return {
        "account": {"id": user.pk, "email": user.email, "email_verified": user.email_verified,
                    "date_joined": user.date_joined, "last_login": user.last_login, "is_staff": user.is_staff,
                    "is_active": user.is_active},
        "plan": {"code": plan.code, "name": plan.name, "daily_limit": plan.daily_limit,
                 "max_variations": plan.max_variations, "max_resolution": plan.max_resolution,
                 "monthly_price": plan.monthly_price},
        "subscriptions": [
            {"plan": s.plan.code, "plan_name": s.plan.name, "started_at": s.started_at, "ended_at": s.ended_at,
             "note": s.note}
            for s in user.subscriptions.select_related("plan").order_by("started_at")],
        "usage": {
            "ledger": [
                {"kind": e.kind, "units": e.units, "day": e.day, "plan": e.plan_code, "design_id": e.design_id,
                 "note": e.note, "created_at": e.created_at}
                for e in UsageEntry.objects.filter(user=user).order_by("created_at", "pk")],
            "daily": [{"day": d.day, "used": d.used, "granted": d.granted}
                      for d in DailyUsage.objects.filter(user=user).order_by("day")],
        },
        "gpu_charges": [
            {"design_id": c.design_id, "attempt": c.attempt, "completed": c.completed, "day": c.day,
             "gpu_type": c.gpu_type, "gpu_seconds": c.gpu_seconds, "cost_usd": c.cost_usd, "created_at": c.created_at}
            for c in GpuCharge.objects.filter(user=user).order_by("created_at", "pk")],
        "api_tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": t.created_at, "last_used_at": t.last_used_at,
             "webhook_url": t.webhook_url}
            for t in user.api_tokens.order_by("created_at")],
        "email_changes": [
            {"old_email": c.old_email, "new_email": c.new_email, "created_at": c.created_at,
             "confirmed_at": c.confirmed_at}
            for c in user.email_changes.order_by("created_at")],
        "sign_ins": _sign_ins(user),
        "payments": _payments(user),
    }


def _payments(user: User) -> dict | None:
    """What Stripe and Restyle's webhook know of the account's payments (README "Payments"); None: never paid."""
    from billing.models import StripeCustomer, StripeEvent

    customer = StripeCustomer.objects.filter(user=user).first()
    if customer is None:
        return None
    return {
        "stripe_customer": customer.customer_id, "subscription": customer.subscription_id or None,
        "status": customer.subscription_status or None, "price": customer.price_id or None,
        "current_period_end": customer.current_period_end, "cancel_at_period_end": customer.cancel_at_period_end,
        "events": [{"id": e.event_id, "type": e.type, "created": e.created, "outcome": e.outcome}
                   for e in StripeEvent.objects.filter(customer_id=customer.customer_id).order_by("created")],
    }


def _sign_ins(user: User) -> list[dict]:
    from accounts.models import SignInEvent

    return [{"at": e.at, "channel": e.channel, "outcome": e.outcome, "ip": e.ip, "user_agent": e.user_agent}
            for e in SignInEvent.objects.filter(user=user).order_by("at")]


def _design(archive: zipfile.ZipFile, design) -> dict:
    folder = f"designs/{design.pk}"
    results = []
    for result in design.results.all():
        number = result.index + 1
        results.append({
            "variation": number, "seed": result.seed, "width": result.width, "height": result.height,
            "quality_score": result.quality_score,
            "image": _copy(archive, result.image.name, f"{folder}/result-{number}{_extension(result.image.name)}"),
            "thumbnail": _copy(archive, result.thumbnail.name, f"{folder}/result-{number}-thumbnail.jpg"),
        })
    maps = {kind: _copy(archive, name, f"{folder}/{kind}{posixpath.splitext(name)[1] or '.png'}")
            for kind, name in sorted((design.maps or {}).items())}
    return {
        "id": str(design.pk), "status": design.status, "message": design.message,
        "style": design.style, "room_type": design.room_type or None,
        "detected_room_type": design.detected_room_type or None, "preferences": design.preferences,
        "variations": design.variations, "resolution": design.resolution,
        "created_at": design.created_at, "started_at": design.started_at, "finished_at": design.finished_at,
        "mode": design.mode,
        "mask": _copy(archive, design.mask.name, f"{folder}/mask.png") if design.mask else None,
        "style_reference": _copy(archive, design.reference.name, f"{folder}/reference.jpg"),
        "original": _copy(archive, design.original.name, f"{folder}/original.jpg"),
        "original_width": design.original_width, "original_height": design.original_height,
        "results": results, "control_maps": maps, "metadata": design.metadata,
        "error": {"code": design.error_code, "message": design.error_message} if design.error_code else None,
        "callback_url": design.callback_url or None, "attempts": design.attempts,
        "upscales": [
            {"variation": upscale.result.index + 1, "factor": upscale.factor, "status": upscale.status,
             "width": upscale.width, "height": upscale.height, "created_at": upscale.created_at,
             "image": _copy(archive, upscale.image.name,
                            f"{folder}/result-{upscale.result.index + 1}-x{upscale.factor}"
                            f"{_extension(upscale.image.name)}") if upscale.image else None}
            for upscale in design.upscales.select_related("result").order_by("created_at")],
    }


def _extension(name: str) -> str:
    return posixpath.splitext(name)[1] or ".jpg"


def _copy(archive: zipfile.ZipFile, name: str, path: str) -> str | None:
    """Copy a stored file into the ZIP at `path`; None when there is none (or it is gone from storage)."""
    if not name:
        return None
    try:
        source = default_storage.open(name, "rb")
    except FileNotFoundError:
        return None
    with source, archive.open(zipfile.ZipInfo(path, date_time=timezone.now().timetuple()[:6]), "w") as target:
        shutil.copyfileobj(source, target, length=1024 * 1024)
    return path
