from __future__ import annotations

from django.urls import path

from billing import api

urlpatterns = [
    path("billing/checkout/", api.CheckoutApi.as_view(), name="api-billing-checkout"),
    path("billing/portal/", api.PortalApi.as_view(), name="api-billing-portal"),
]
