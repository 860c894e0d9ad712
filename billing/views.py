"""The pricing page and the browser's way to Stripe Checkout and the customer portal."""
from __future__ import annotations

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import payments, stripe_api
from billing.models import StripeCustomer
from billing.selectors import plan_for_user
from billing.stripe_sync import stripe_customer_sync
from core.errors import ApiError


@require_GET
def pricing(request: HttpRequest) -> HttpResponse:
    current = plan_for_user(user=request.user).code if request.user.is_authenticated else None
    context = {"plans": payments.plans_for_sale(), "payments_enabled": stripe_api.payments_enabled(),
               "current": current, "priority_min": settings.PRIORITY_QUEUE_MIN_PRIORITY}
    return render(request, "billing/pricing.html", context)


@login_required
@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    try:
        url = payments.billing_checkout_url(user=request.user, plan_code=request.POST.get("plan", "premium"),
                                            **checkout_return_urls(request))
    except ApiError as error:
        messages.error(request, str(error.detail))
        return redirect("pricing")
    return redirect(url, permanent=False)


def checkout_return_urls(request: HttpRequest) -> dict[str, str]:
    done = request.build_absolute_uri(reverse("billing-checkout-done"))
    return {"success_url": f"{done}?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": request.build_absolute_uri(reverse("pricing"))}


@login_required
@require_GET
def checkout_done(request: HttpRequest) -> HttpResponse:
    """Back from Checkout. The webhook changes the plan; reading the customer from Stripe here as well means the
    person sees the new plan at once, even when the webhook is a few seconds behind."""
    record = StripeCustomer.objects.filter(user=request.user).first()
    session_id = request.GET.get("session_id", "")
    try:
        if record is not None and session_id and stripe_api.checkout_session_customer(session_id) == record.customer_id:
            stripe_customer_sync(customer_id=record.customer_id, reason=f"back from checkout {session_id}")
    except stripe.StripeError:
        pass  # the webhook will do it
    plan = plan_for_user(user=request.user)
    messages.success(request, f"Thank you! You are on the {plan.name} plan." if plan.stripe_price_id else
                     "Thank you! Your plan changes as soon as Stripe confirms the payment (usually seconds).")
    return redirect("account")


@login_required
@require_http_methods(["GET", "POST"])  # GET too: the payment-failure mail links here
def portal(request: HttpRequest) -> HttpResponse:
    try:
        url = payments.billing_portal_url(user=request.user, return_url=request.build_absolute_uri(reverse("account")))
    except ApiError as error:
        messages.error(request, str(error.detail))
        return redirect("account")
    return redirect(url, permanent=False)
