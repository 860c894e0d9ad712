from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginForm, SignupForm
from accounts.services import rate_limit_auth
from config.api import ApiError


def home(request):
    return render(request, "home.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        limited = _limited(request, action="register", email=request.POST.get("email", ""))
        if limited:
            return limited
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to Restyle.")
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        return _limited(request, action="login", email=request.POST.get("username", "")) or super().post(
            request, *args, **kwargs
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        messages.success(self.request, "Your password was changed.")
        return super().form_valid(form)


@login_required
def account(request):
    return render(request, "accounts/account.html")


def _limited(request, *, action: str, email: str):
    """Render the 429 page when this sign-in or sign-up is over its rate limit."""
    try:
        rate_limit_auth(request, action=action, email=email)
    except ApiError as error:
        response = render(request, "429.html", {"message": error.detail}, status=429)
        for name, value in error.headers.items():
            response[name] = value
        return response
    return None
