"""django.contrib.admin with our site as `admin.site` (INSTALLED_APPS lists this instead of django.contrib.admin).

In its own module: apps.py must keep exactly one AppConfig, or Django stops picking AccountsConfig for accounts.
"""
from __future__ import annotations

from django.contrib.admin.apps import AdminConfig as BaseAdminConfig


class AdminConfig(BaseAdminConfig):
    default_site = "accounts.admin_site.RestyleAdminSite"
