"""The desk's own admin pages (previews, confirmations, versions, an
edition's pages): the one way they find the object they are about (as the
admin finds it, "not found" (404) before "not allowed" (403), so a page says
nothing of an object the user may not see) and the context every one of their
templates needs."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

# The ModelAdmin permission asked of the object: has_<permission>_permission.
PERMISSIONS = ("view", "change", "view_or_change")


def admin_object_or_404(
    model_admin, request, object_id, *, permission: str, not_found: str
):
    """The object ``object_id`` through ``model_admin.get_object`` (which
    applies the admin's queryset: an id that is not a number, or an object
    outside the user's queryset, is not found): Http404 with ``not_found``
    when there is none, PermissionDenied when the user lacks ``permission``
    on it."""
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}.")
    obj = model_admin.get_object(request, str(object_id))
    if obj is None:
        raise Http404(not_found)
    if not getattr(model_admin, f"has_{permission}_permission")(request, obj):
        raise PermissionDenied
    return obj


def admin_page_context(request, model_admin, title: str, **extra) -> dict:
    """What every desk page's template needs (it extends the admin's base)."""
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "app_label": model_admin.opts.app_label,
        **extra,
    }
