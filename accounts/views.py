from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, limits, tokens, verification
from accounts.forms import AccountDeleteForm, LoginForm, SignupForm, TokenCreateForm
from accounts.models import ApiToken
from accounts.requester import guest_key_for, requester_from_request
from accounts.services import signin_failure, signin_guard, signin_success, user_delete, user_password_change
from accounts.tokens import token_revoke
from billing.selectors import plan_context
from core.errors import ApiError
from designs.services import guest_designs_adopt
from gpu.styles import catalog

SHOWCASE_STYLES = ("scandinavian", "japandi", "industrial", "boho", "art_deco", "coastal")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    styles = {style["code"]: style for style in catalog()["styles"]}
    context = {"showcase": [styles[code] for code in SHOWCASE_STYLES], "style_count": len(styles)}
    if not request.user.is_authenticated:
        context.update(plan_context(requester_from_request(request)))  # the guest plan, to say what "try it" allows
    return render(request, "home.html", context)


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        limited = _limited(limits.signup_check, request)
        if limited:
            return limited
        if form.is_valid():
            user = form.save()
            limits.signup_done(request)
            verification.verification_send(request, user=user)
            _login_keeping_guest_designs(request, user)
            messages.success(request, f"Welcome to Restyle. We sent a link to {user.email}: confirm your address "
                                      "to get the free plan.")
            return redirect("design-new")
    return render(request, "accounts/signup.html", {"form": form})


def _login_keeping_guest_designs(request: HttpRequest, user) -> int:
    """Log in and move this browser's guest designs to the account.

    The guest key is read before login(): login keeps an anonymous session's data when it rotates the key,
    but reading first means the adoption does not depend on that.
    """
    guest_key = guest_key_for(request.session, create=False)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return guest_designs_adopt(guest_key=guest_key, user=user)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        email = request.POST.get("username", "")
        return _limited(signin_guard, request, email=email, channel=audit.Channel.WEB) or super().post(
            request, *args, **kwargs
        )

    def form_valid(self, form):
        user = form.get_user()
        signin_success(self.request, user=user, channel=audit.Channel.WEB)
        # A guest who tried Restyle and then logs in to an existing account keeps what they made too.
        _login_keeping_guest_designs(self.request, user)
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        if form.non_field_errors():  # the password was checked and was wrong (not a malformed form)
            signin_failure(self.request, email=self.request.POST.get("username", ""), channel=audit.Channel.WEB)
        return super().form_invalid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        # The API's service: this session stays signed in, every other session and every API token end.
        user_password_change(user=self.request.user, new_password=form.cleaned_data["new_password1"],
                             request=self.request)
        messages.success(self.request, "Your password was changed. Other devices and API tokens are signed out.")
        return redirect(self.get_success_url())


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


def _account_page(request: HttpRequest, *, status: int = 200, **forms) -> HttpResponse:
    context = {
        **plan_context(requester_from_request(request)),
        "tokens": request.user.api_tokens.all(),
        "token_form": forms.get("token_form") or TokenCreateForm(),
        "delete_form": forms.get("delete_form") or AccountDeleteForm(user=request.user),
        "new_key": forms.get("new_key"),
        "new_key_name": forms.get("new_key_name"),
        "new_webhook_secret": forms.get("new_webhook_secret"),
        **_address_and_data_context(request, forms.get("email_form")),
    }
    return render(request, "accounts/account.html", context, status=status)


def _address_and_data_context(request: HttpRequest, email_form) -> dict:
    """The account page's "E-mail address" and "Your data" cards (accounts/views_me.py posts them)."""
    from accounts.email_change import email_change_pending
    from accounts.export import export_download_path
    from accounts.forms import EmailChangeForm
    from accounts.models import DataExport

    exports = list(request.user.data_exports.all()[:3])
    for export in exports:
        ready = export.status == DataExport.Status.READY and export.expires_at and export.expires_at > timezone.now()
        export.download_path = export_download_path(export) if ready else None
    return {"email_form": email_form or EmailChangeForm(), "email_pending": email_change_pending(user=request.user),
            "exports": exports}


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Rendered, not redirected: the key exists only in this response (it is stored hashed), so it is shown once
    and never parked in a session or a cookie on its way to a next page."""
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _account_page(request, status=400, token_form=form)
    name = form.cleaned_data["name"]
    key, token = tokens.token_create(user=request.user, name=name)
    return _account_page(request, new_key=key, new_key_name=name, new_webhook_secret=token.webhook_secret)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    token_revoke(token=token)
    messages.success(request, f"The token “{token.name}” was revoked; apps using it are signed out.")
    return redirect("account")


@login_required
@require_POST
def account_delete(request: HttpRequest) -> HttpResponse:
    # The password check is a sign-in, under the same failure limits.
    email, channel = request.user.email, audit.Channel.ACCOUNT_DELETE
    limited = _limited(signin_guard, request, email=email, channel=channel)
    if limited:
        return limited
    form = AccountDeleteForm(request.POST, user=request.user)
    if not form.is_valid():
        if form.has_error("password", "wrong_password"):
            signin_failure(request, email=email, channel=channel, user=request.user)
        return _account_page(request, status=400, delete_form=form)
    user = request.user
    logout(request)
    user_delete(user=user)
    messages.success(request, "Your account and all its designs were deleted.")
    return redirect("home")


def _limited(check, request, **kwargs):
    """Render the 429 page when `check` (a sign-in or sign-up limit) refuses this request."""
    try:
        check(request, **kwargs)
    except ApiError as error:
        return rate_limited_page(request, error)
    return None


def rate_limited_page(request, error: ApiError) -> HttpResponse:
    response = render(request, "429.html", {"message": error.detail}, status=429)
    for name, value in error.headers.items():
        response[name] = value
    return response
