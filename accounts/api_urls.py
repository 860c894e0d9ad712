from __future__ import annotations

from django.urls import path

from accounts import api, api_account, api_email, api_me

urlpatterns = [
    path("auth/register/", api.RegisterApi.as_view(), name="api-register"),
    path("auth/token/", api.TokenApi.as_view(), name="api-token"),
    path("me/", api.MeApi.as_view(), name="api-me"),
    path("auth/tokens/", api_account.TokenListApi.as_view(), name="api-tokens"),
    path("auth/tokens/<int:token_id>/", api_account.TokenRevokeApi.as_view(), name="api-token-revoke"),
    path("auth/password/change/", api_account.PasswordChangeApi.as_view(), name="api-password-change"),
    path("auth/verify/", api_email.VerifyApi.as_view(), name="api-verify"),
    path("auth/verify/resend/", api_email.VerifyResendApi.as_view(), name="api-verify-resend"),
    path("auth/password/reset/", api_email.PasswordResetApi.as_view(), name="api-password-reset"),
    path("auth/password/reset/confirm/", api_email.PasswordResetConfirmApi.as_view(),
         name="api-password-reset-confirm"),
    path("me/email/", api_me.EmailChangeApi.as_view(), name="api-me-email"),
    path("me/email/confirm/", api_me.EmailChangeConfirmApi.as_view(), name="api-me-email-confirm"),
    path("me/export/", api_me.DataExportApi.as_view(), name="api-me-export"),
    path("me/export/<uuid:export_id>/", api_me.DataExportDetailApi.as_view(), name="api-me-export-detail"),
]
