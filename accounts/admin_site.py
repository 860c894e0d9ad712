"""The admin site: the stock one, with a sign-in that is rate-limited, audited and asks staff for a TOTP code.

Signing in to the admin takes up to two steps:

1. email and password, under the same failure limits as the site's own sign-in (accounts/limits.py) and
   recorded in the staff sign-in audit (accounts/audit.py);
2. a code from an authenticator app (django-otp's TOTP device), asked of a staff member who has enrolled one,
   and of every staff member when ADMIN_REQUIRE_2FA is on (production's default). Someone with none yet enrols
   here first: the secret is shown once, and a code from the app confirms it.

Step 1 signs the person in to the site as usual; the admin itself stays closed (has_permission) until the
session is verified by step 2. Wrong codes count as failed sign-ins too, so the failure limits cut code
guessing as they cut password guessing (and django-otp's own per-device throttle adds growing delays).
"""
from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import mark_safe
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import audit
from accounts.services import signin_failure, signin_guard, signin_success
from core.errors import ApiError

ENROL_SESSION_KEY = "admin_otp_enrol_device"


def otp_required(user) -> bool:
    """Whether this staff member must give a code: everyone when ADMIN_REQUIRE_2FA, else those who enrolled one."""
    return settings.ADMIN_REQUIRE_2FA or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_verified(user) -> bool:
    is_verified = getattr(user, "is_verified", None)  # set by django_otp.middleware.OTPMiddleware
    return bool(is_verified and is_verified())


class AdminLoginForm(AdminAuthenticationForm):
    """The stock admin form, with each checked password counted and audited."""

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        try:
            cleaned = super().clean()
        except ValidationError:
            if email and password:  # the password was checked (a blank field never reaches the check)
                signin_failure(self.request, email=email, channel=audit.Channel.ADMIN)
            raise
        user = self.get_user()
        if user is None:  # a blank field: nothing was checked
            return cleaned
        if otp_required(user):  # half way: the failures on this account are forgotten once the code is right
            audit.signin_record(self.request, email=user.email, channel=audit.Channel.ADMIN,
                                outcome=audit.Outcome.SIGNED_IN, user=user)
        else:
            signin_success(self.request, user=user, channel=audit.Channel.ADMIN)
        return cleaned


class OtpTokenForm(forms.Form):
    otp_token = forms.RegexField(
        label="Code from your authenticator app", regex=r"^\s*\d{6}\s*$", max_length=12,
        error_messages={"invalid": "Enter the 6-digit code."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_otp_token(self) -> str:
        return self.cleaned_data["otp_token"].strip()


class RestyleAdminSite(admin.AdminSite):
    login_form = AdminLoginForm
    site_header = "Restyle administration"
    site_title = "Restyle admin"

    def has_permission(self, request) -> bool:
        if not super().has_permission(request):
            return False
        return otp_verified(request.user) or not otp_required(request.user)

    def get_urls(self):
        enrol = never_cache(self.otp_enrol)  # the page shows a secret: never stored by a cache
        return [path("two-factor/", enrol, name="otp-enrol"), *super().get_urls()]

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        user = request.user
        if user.is_active and user.is_staff and not self.has_permission(request):
            # The password was accepted; the second factor is still to come.
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                return self._otp_verify(request)
            return HttpResponseRedirect(self._with_next(reverse("admin:otp-enrol", current_app=self.name), request))
        if request.method == "POST":
            try:
                signin_guard(request, email=request.POST.get("username", ""), channel=audit.Channel.ADMIN)
            except ApiError as error:
                return rate_limited_page(request, error)
        return super().login(request, extra_context)

    def _otp_verify(self, request):
        user = request.user
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        form = OtpTokenForm(request.POST or None)
        if request.method == "POST":
            try:
                signin_guard(request, email=user.email, channel=audit.Channel.ADMIN)
            except ApiError as error:
                return rate_limited_page(request, error)
            if form.is_valid():
                if verify_token(user, device.persistent_id, form.cleaned_data["otp_token"]):
                    otp_login(request, device)
                    signin_success(request, user=user, channel=audit.Channel.ADMIN,
                                   outcome=audit.Outcome.OTP_VERIFIED)
                    return HttpResponseRedirect(self._next(request))
                signin_failure(request, email=user.email, channel=audit.Channel.ADMIN,
                               outcome=audit.Outcome.OTP_FAILED, user=user)
                form.add_error("otp_token", "That code is not right (or was used already). Try the next one.")
        context = {**self.each_context(request), "title": "Two-factor sign-in", "form": form,
                   "app_path": request.get_full_path()}
        return TemplateResponse(request, "admin/otp_verify.html", context, status=400 if form.errors else 200)

    def otp_enrol(self, request):
        """Set up the authenticator app: a new secret on each visit, shown this once, confirmed with a code."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return HttpResponseRedirect(self._with_next(reverse("admin:login", current_app=self.name), request))
        if not otp_verified(user) and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            # Replacing a device takes the current one: a password alone must not be enough to swap it.
            return HttpResponseRedirect(self._with_next(reverse("admin:login", current_app=self.name), request))
        form = OtpTokenForm(request.POST or None)
        context = {**self.each_context(request), "title": "Set up two-factor sign-in", "form": form}
        if request.method == "POST":
            device = TOTPDevice.objects.filter(user=user, confirmed=False,
                                               pk=request.session.get(ENROL_SESSION_KEY)).first()
            if device is None:
                return HttpResponseRedirect(request.get_full_path())  # stale form: start again with a new secret
            if form.is_valid() and device.verify_token(form.cleaned_data["otp_token"]):
                _device_confirm(device)
                otp_login(request, device)
                request.session.pop(ENROL_SESSION_KEY, None)
                audit.signin_record(request, email=user.email, channel=audit.Channel.ADMIN,
                                    outcome=audit.Outcome.OTP_ENROLLED, user=user)
                return HttpResponseRedirect(self._next(request))
            if form.is_valid():
                form.add_error("otp_token", "That code did not match. Wait for the next code and try again.")
            return TemplateResponse(request, "admin/otp_enrol.html", context, status=400)
        device = _device_start(user)
        request.session[ENROL_SESSION_KEY] = device.pk
        context.update(secret=b32encode(device.bin_key).decode(), config_url=device.config_url,
                       qr=mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5)))
        return TemplateResponse(request, "admin/otp_enrol.html", context)

    def _next(self, request) -> str:
        target = request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            return target
        return reverse("admin:index", current_app=self.name)

    def _with_next(self, url: str, request) -> str:
        return f"{url}?{urlencode({'next': self._next(request)})}"


def _device_start(user) -> TOTPDevice:
    """A new, unconfirmed device; earlier unconfirmed ones (abandoned set-ups) go."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _device_confirm(device: TOTPDevice) -> None:
    """The confirmed device becomes the only one: enrolling again replaces the old phone."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])


def rate_limited_page(request, error: ApiError):
    from accounts.views import rate_limited_page as page  # the site's 429 page; views import the dashboard's code

    return page(request, error)
