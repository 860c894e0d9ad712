"""Buying and managing a plan from an app: URLs of Stripe pages for the app to open (issue 14)."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import payments
from billing.views import checkout_return_urls
from core.api_schema import ErrorSerializer, error_responses

UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="`payment_provider_error`: Stripe did not answer; "
                              "try again after `Retry-After`.")
CONFLICT = OpenApiResponse(ErrorSerializer, description="`payments_unavailable`: this Restyle sells no plans (staff "
                           "assign them); or the account's state does not allow it (see the operation).")


class CheckoutRequestSerializer(serializers.Serializer):
    plan = serializers.SlugField(default="premium", help_text="The code of the plan to buy (see /pricing/).")


class BillingUrlSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="A Stripe page to open in a browser; it expires after a while.")


class CheckoutApi(APIView):
    @extend_schema(operation_id="billing_checkout", request=CheckoutRequestSerializer,
                   responses={200: BillingUrlSerializer, **error_responses(400), 409: CONFLICT, 503: UNAVAILABLE})
    def post(self, request):
        """A Stripe Checkout page that subscribes the account to a plan. The plan changes once Stripe confirms the
        payment; afterwards the browser comes back to the account page. 409 `already_subscribed` when the account
        already pays (use the portal), `already_on_plan`, or `payments_unavailable`."""
        serializer = CheckoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = payments.billing_checkout_url(user=request.user, plan_code=serializer.validated_data["plan"],
                                            **checkout_return_urls(request))
        return Response({"url": url})


class PortalApi(APIView):
    @extend_schema(operation_id="billing_portal", request=None,
                   responses={200: BillingUrlSerializer, 409: CONFLICT, 503: UNAVAILABLE})
    def post(self, request):
        """Stripe's customer portal: change plan or card, see invoices, cancel. 409 `no_billing_account` before
        anything was bought, or `payments_unavailable`."""
        url = payments.billing_portal_url(user=request.user,
                                          return_url=request.build_absolute_uri(reverse("account")))
        return Response({"url": url})
