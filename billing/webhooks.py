"""The one endpoint Stripe calls: POST /billing/stripe/webhook/. Verified by signature, applied once per event."""
from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import stripe_api
from billing.stripe_sync import stripe_event_handle
from core.errors import error_body

log = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot hold a CSRF token: the signature is the proof
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    if not settings.STRIPE_WEBHOOK_SECRET:
        return JsonResponse(error_body("not_found", "Payments are not set up."), status=404)
    try:
        event = stripe_api.event_verified(payload=request.body,
                                          signature=request.headers.get("Stripe-Signature", ""))
    except (ValueError, stripe.SignatureVerificationError) as error:
        log.warning("refused a Stripe webhook: %s", error)
        return JsonResponse(error_body("bad_signature", "The Stripe-Signature header does not match this body."),
                            status=400)
    try:
        outcome = stripe_event_handle(event=event, portal_url=request.build_absolute_uri(reverse("billing-portal")))
    except stripe.StripeError as error:  # Stripe could not be read back: answer non-2xx so Stripe sends it again
        log.warning("Stripe event %s not applied yet: %s", event["id"], error)
        return JsonResponse(error_body("payment_provider_error", "Stripe could not be read; send it again."),
                            status=503)
    log.info("Stripe event %s %s: %s", event["type"], event["id"], outcome)
    return JsonResponse({"received": True, "outcome": outcome})
