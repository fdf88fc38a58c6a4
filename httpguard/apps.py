from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class HttpGuardConfig(AppConfig):
    name = "httpguard"
    default = True

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)


class GuardedAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` whose default site hardens every ModelAdmin
    registered on it (httpguard/admin_site.py)."""

    default = False
    default_site = "httpguard.admin_site.GuardedAdminSite"
