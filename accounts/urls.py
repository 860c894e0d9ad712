from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", views.token_create, name="account-token-create"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="account-token-revoke"),
    path("account/delete/", views.account_delete, name="account-delete"),
]
