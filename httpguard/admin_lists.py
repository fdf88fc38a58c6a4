"""Mend Django admin failures and leaks on odd requests, for every registered model.

``?published_at__year=99999999999`` makes Django's date hierarchy build a
date with a year beyond a C int: an OverflowError, which Django does not catch
(it catches ValueError), so the list answers 500. Here it is a bad lookup like
any other: the list comes back with Django's own "invalid parameters" answer.

An object's history page looked the object up before asking for any
permission: to a staff user without one, an id that exists answered 403 and
one that does not a redirect. It now asks first, as the change page does.

Applied once every app's admin module is loaded (``HttpGuardConfig.ready``),
to the project's ModelAdmins and third-party ones (auth, axes) alike.
"""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            raise IncorrectLookupParameters(error) from error


class GuardedAdminMixin:
    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, SafeChangeList):
            return changelist
        return type(changelist.__name__, (SafeChangeList, changelist), {})

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


def harden_registered_admins(site=admin.site) -> None:
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, GuardedAdminMixin):
            continue
        admin_class = type(model_admin)
        site.unregister(model)
        site.register(
            model, type(admin_class.__name__, (GuardedAdminMixin, admin_class), {})
        )
