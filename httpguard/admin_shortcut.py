"""The admin's "view on site" redirect, for objects the user may see in the admin.

Django's ``/admin/r/<content type>/<id>/`` (``contenttypes.views.shortcut``)
redirects any staff user to any object's page: walking the ids, a writer
learnt the slug of every other writer's draft and scheduled article. Here the
object is looked up the way its admin looks it up (``get_object``, which for
articles asks the visibility rule in ``articles/roles.py``) and must pass its
admin's view permission; anything else, or a model with no admin, is "not
found", exactly like an id that does not exist.
"""

from django.contrib import admin
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.http import Http404

NOT_FOUND = "No such object."


def view_on_site(request, content_type_id, object_id, site=admin.site):
    try:
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        model_admin = site.get_model_admin(model)
    except (ContentType.DoesNotExist, NotRegistered):
        raise Http404(NOT_FOUND) from None
    if not model_admin.has_view_or_change_permission(request):
        raise Http404(NOT_FOUND)
    # Among the objects the admin lets this user know of (for articles, the
    # visibility rule: their own and the live ones, public anyway).
    if model_admin.get_object(request, object_id) is None:
        raise Http404(NOT_FOUND)
    return shortcut(request, content_type_id, object_id)
