"""Pages beside the article form: topic suggestions and the Markdown help."""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.text import capfirst

from .admin_objects import admin_page_context
from .visibility import topic_suggestions


def topic_suggestions_page(request, model_admin):
    """Existing topics matching ``q``, for the topic box's suggestions."""
    if not (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
    ):
        raise PermissionDenied
    names = topic_suggestions(user=request.user, term=request.GET.get("q", ""))
    return JsonResponse({"results": names})


def markdown_help_page(request, model_admin):
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    context = admin_page_context(
        request,
        model_admin,
        "Writing articles in Markdown",
        subtitle=capfirst(model_admin.opts.verbose_name_plural),
    )
    return TemplateResponse(
        request, "admin/articles/article/markdown_help.html", context
    )
