"""Web pages for e-mail verification and password reset (issue 14): thin over the same services as the API."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import password_reset, verification
from accounts.views import rate_limited_page
from core.errors import ApiError


@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification mail. It needs no sign-in: the token says whose address it is."""
    try:
        user = verification.email_verify(token=token)
    except ApiError as error:
        return render(request, "accounts/verify_failed.html", {"message": error.detail}, status=400)
    if request.user.is_authenticated and request.user.pk == user.pk:
        messages.success(request, "Your address is confirmed: your account is on the free plan now.")
        return redirect("account")
    return render(request, "accounts/verified.html", {"email": user.email})


@login_required
@require_POST
def verify_resend(request: HttpRequest) -> HttpResponse:
    try:
        verification.verification_resend(request, user=request.user)
    except ApiError as error:
        if error.status_code == 429:
            return rate_limited_page(request, error)
        messages.info(request, error.detail)  # already confirmed
    else:
        messages.success(request, f"We sent a new link to {request.user.email}.")
    return redirect(request.POST.get("next") or "account")


class PasswordResetForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254,
                             widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


@require_http_methods(["GET", "POST"])
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset.password_reset_request(request, email=form.cleaned_data["email"])
        except ApiError as error:
            return rate_limited_page(request, error)
        return redirect("password-reset-sent")
    return render(request, "accounts/password_reset.html", {"form": form})


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html", {"message": password_reset.SENT})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view for the link (it moves the token out of the URL into the session before the form shows,
    so it never leaks in a Referer), with our service to set the password and end every session and token."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        password_reset.password_reset_confirm(user=form.user, new_password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, "Your password was changed, and every device signed out. Log in with the "
                                       "new one.")
        return redirect(self.success_url)
