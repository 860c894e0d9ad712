from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_email, views_me

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
    path("verify/<str:token>/", views_email.verify_email, name="verify-email"),
    path("account/verify/resend/", views_email.verify_resend, name="verify-resend"),
    path("password/reset/", views_email.password_reset_view, name="password-reset"),
    path("password/reset/sent/", views_email.password_reset_sent, name="password-reset-sent"),
    path("password/reset/<uidb64>/<token>/", views_email.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("account/email/", views_me.email_change_view, name="email-change"),
    path("account/email/confirm/<str:token>/", views_me.email_change_confirm_view, name="email-change-confirm"),
    path("account/export/", views_me.export_request_view, name="data-export"),
    path("account/export/<str:token>/", views_me.export_download_view, name="data-export-download"),
]
