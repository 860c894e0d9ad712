from __future__ import annotations

from django.urls import path

from billing import views, webhooks

urlpatterns = [
    path("pricing/", views.pricing, name="pricing"),
    path("billing/checkout/", views.checkout, name="billing-checkout"),
    path("billing/checkout/done/", views.checkout_done, name="billing-checkout-done"),
    path("billing/portal/", views.portal, name="billing-portal"),
    path("billing/stripe/webhook/", webhooks.stripe_webhook, name="stripe-webhook"),
]
