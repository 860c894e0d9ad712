"""Web pages for changing the address and exporting one's data (issue 14): thin over accounts/email_change.py
and accounts/export.py, which the API calls too."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework import exceptions

from accounts import email_change, export
from accounts.authentication import ApiTokenAuthentication
from accounts.forms import EmailChangeForm
from accounts.views import _account_page, rate_limited_page
from core.errors import ApiError


@login_required
@require_POST
def email_change_view(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST)
    if not form.is_valid():
        return _account_page(request, status=400, email_form=form)
    try:
        email_change.email_change_request(request, user=request.user, new_email=form.cleaned_data["new_email"],
                                          password=form.cleaned_data["password"])
    except ApiError as error:
        if error.status_code == 429:
            return rate_limited_page(request, error)
        form.add_error("password" if error.field == "password" else "new_email", str(error.detail))
        return _account_page(request, status=400, email_form=form)
    messages.success(request, email_change.sent_message(form.cleaned_data["new_email"].lower()))
    return redirect("account")


@require_http_methods(["GET", "POST"])
def email_change_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link mailed to the new address. GET only shows a button (mail scanners open links, and this one works
    once); the POST changes the address. No sign-in needed: the token came to the new address."""
    if request.method == "GET":
        return render(request, "accounts/email_change_confirm.html")
    try:
        user = email_change.email_change_confirm(token=token)
    except ApiError as error:
        return render(request, "accounts/verify_failed.html", {"message": error.detail}, status=400)
    if request.user.is_authenticated and request.user.pk == user.pk:
        messages.success(request, f"Your address is now {user.email}.")
        return redirect("account")
    return render(request, "accounts/email_changed.html", {"email": user.email})


@login_required
@require_POST
def export_request_view(request: HttpRequest) -> HttpResponse:
    try:
        export.export_request(request, user=request.user)
    except ApiError as error:
        if error.status_code == 429:
            return rate_limited_page(request, error)
        messages.info(request, str(error.detail))  # one is under way already
    else:
        messages.success(request, f"We are preparing your data. We will mail {request.user.email} when it is "
                                  "ready, usually within minutes.")
    return redirect("account")


@require_GET
def export_download_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the mail and the API: only for the account it was made for, signed in by session or token;
    anyone else, and an expired link, get the same 404."""
    user = _session_or_token_user(request)
    if user is None:
        return redirect_to_login(request.get_full_path())
    found = export.export_from_link(token=token, user=user)
    if found is None:
        return render(request, "accounts/export_gone.html", status=404)
    filename = f"restyle-data-{found.created_at:%Y-%m-%d}.zip"
    url = export.export_storage_url(found, filename=filename)
    if url:
        return HttpResponseRedirect(url)
    response = FileResponse(export.export_open(found), as_attachment=True, filename=filename,
                            content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


def _session_or_token_user(request: HttpRequest):
    if request.user.is_authenticated:
        return request.user
    try:
        found = ApiTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    return found[0] if found else None
