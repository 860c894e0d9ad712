from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken, SignInEvent, User
from accounts.services import user_delete
from billing.admin import ReadOnlyAdmin


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    fields = ["name", "prefix", "created_at", "last_used_at"]
    readonly_fields = fields
    extra = 0
    can_delete = True  # deleting the row revokes the token

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # keys are shown once to their owner, never created by staff


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "email_verified", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_active"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "email_verified", "password"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [ApiTokenInline]
    actions = ["disable", "grant", "change_plan"]

    @admin.action(description="Change the selected users' plan…", permissions=["change"])
    def change_plan(self, request, queryset):
        from billing.admin import _action_form
        from designs.admin import PlanReasonForm
        from designs.remedies import user_plan_change

        def apply(data: dict) -> str:
            for user in queryset:
                user_plan_change(user=user, staff=request.user, plan=data["plan"], reason=data["reason"])
            return f"Moved {queryset.count()} user(s) to {data['plan']}."

        return _action_form(self, request, queryset, form_class=PlanReasonForm, title="Change plan", apply=apply)

    @admin.action(description="Grant the selected users extra designs for today…", permissions=["change"])
    def grant(self, request, queryset):
        from billing.admin import _action_form
        from designs.admin import GrantReasonForm
        from designs.remedies import user_grant

        def apply(data: dict) -> str:
            for user in queryset:
                user_grant(user=user, staff=request.user, units=data["units"], reason=data["reason"])
            return f"Granted {data['units']} extra design(s) to {queryset.count()} user(s)."

        return _action_form(self, request, queryset, form_class=GrantReasonForm, title="Grant extra designs",
                            apply=apply)

    @admin.action(description="Disable the selected users (ends their sessions and tokens)…",
                  permissions=["change"])
    def disable(self, request, queryset):
        from billing.admin import _action_form
        from designs.admin import ReasonForm
        from designs.remedies import user_disable

        def apply(data: dict) -> str:
            done = sum(user_disable(user=u, staff=request.user, reason=data["reason"]) for u in queryset)
            return f"Disabled {done} user(s)."

        return _action_form(self, request, queryset, form_class=ReasonForm, title="Disable users", apply=apply)

    def save_model(self, request, obj, form, change) -> None:
        if not change:  # an account staff create is vouched for: no verification mail, the free plan at once
            obj.email_verified = True
        super().save_model(request, obj, form, change)

    # Through user_delete, as the account page and DELETE /api/v1/me/ do: the CASCADE alone dropped the
    # design rows and left every stored photo behind. "Delete selected" calls delete_queryset.
    def delete_model(self, request, obj: User) -> None:
        user_delete(user=obj)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            user_delete(user=user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    search_fields = ["user__email", "name", "prefix"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at"]
    exclude = ["key_hash", "webhook_secret"]  # the secret signs the owner's webhooks: not for staff eyes
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset) -> None:
        count, _ = queryset.delete()
        self.message_user(request, f"Revoked {count} token(s).")


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    """The staff sign-in audit: read-only, and kept (no one deletes from it here)."""

    list_display = ["at", "email", "outcome", "channel", "ip", "user_agent"]
    list_filter = ["outcome", "channel", "at"]
    search_fields = ["email", "network"]
    date_hierarchy = "at"
    readonly_fields = ["at", "email", "user", "channel", "outcome", "ip", "network", "user_agent"]


# django-otp's own admin shows and edits device secrets (and draws their QR codes for any admin). Secrets are
# shown once, to their owner, at enrolment (accounts/admin_site.py); here staff only see and remove devices,
# which sends a person who lost their phone back to enrolment.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
