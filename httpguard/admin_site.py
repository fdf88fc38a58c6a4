"""The admin site: every ModelAdmin registered on it is hardened.

Django's documented way to change the default site (``admin.site`` and
``@admin.register``): an ``AdminConfig`` whose ``default_site`` names an
``AdminSite`` subclass (``apps.GuardedAdminConfig``, in INSTALLED_APPS in place
of ``django.contrib.admin``). Its ``register`` mixes the guards into each admin
class, the project's and third-party ones (auth, axes, the task queue) alike,
whenever it is registered: ``admin_lists`` for list parameters, actions,
autocomplete and history, ``ids`` for object ids.
"""

from django.contrib import admin

from .admin_lists import GuardedAdminMixin
from .ids import StrictIdsMixin


class HardenedAdminMixin(StrictIdsMixin, GuardedAdminMixin):
    """Both guards, ids first: a bad id never reaches a list or a lookup."""


def hardened(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """``admin_class`` with the guards mixed in (the same name, for messages)."""
    if issubclass(admin_class, HardenedAdminMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (HardenedAdminMixin, admin_class),
        {"__module__": admin_class.__module__},
    )


class GuardedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = hardened(admin_class or admin.ModelAdmin)
        super().register(model_or_iterable, admin_class, **options)
