"""Buying and managing a plan from an app: URLs of Stripe pages for the app to open (issue 14)."""
from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from billing import payments
from billing.views import checkout_return_urls
from config.api_schema import ErrorSerializer, error_responses

UNAVAILABLE = OpenApiResponse(ErrorSerializer, description="`payments_unavailable`: this Restyle sells no plans "
                              "(staff assign them), or `payment_provider_error`: Stripe did not answer.")


class CheckoutRequestSerializer(serializers.Serializer):
    plan = serializers.SlugField(default="premium", help_text="The code of the plan to buy (see /pricing/).")


class BillingUrlSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="A Stripe page to open in a browser; it expires after a while.")


class CheckoutApi(APIView):
    @extend_schema(operation_id="billing_checkout", request=CheckoutRequestSerializer,
                   responses={200: BillingUrlSerializer, **error_responses(400, 409), 503: UNAVAILABLE})
    def post(self, request):
        """A Stripe Checkout page that subscribes the account to a plan. The plan changes once Stripe confirms the
        payment; afterwards the browser comes back to the account page. 409 when the account already pays."""
        serializer = CheckoutRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        url = payments.billing_checkout_url(user=request.user, plan_code=serializer.validated_data["plan"],
                                            **checkout_return_urls(request))
        return Response({"url": url})


class PortalApi(APIView):
    @extend_schema(operation_id="billing_portal", request=None,
                   responses={200: BillingUrlSerializer, **error_responses(409), 503: UNAVAILABLE})
    def post(self, request):
        """Stripe's customer portal: change plan or card, see invoices, cancel. 409 before anything was bought."""
        url = payments.billing_portal_url(user=request.user,
                                          return_url=request.build_absolute_uri(reverse("account")))
        return Response({"url": url})
