"""The editors' preview: an article exactly as readers will see it, drafts too."""

from django.core.exceptions import PermissionDenied
from django.utils.cache import add_never_cache_headers

from reader.views import ArticleDetailView

from .admin_objects import admin_object_or_404
from .moments import when


class ArticlePreviewView(ArticleDetailView):
    """The public article page for any state, for admin users allowed to see it.

    Served under the admin (login required). Never cached, never indexed:
    the page carries a noindex meta tag and an ``X-Robots-Tag`` header.
    """

    preview = True
    model_admin = None  # The ArticleAdmin, whose rules say who may see what.

    def get_object(self, queryset=None):
        if not self.model_admin.has_view_or_change_permission(self.request):
            raise PermissionDenied
        # The admin's own lookup: an id that is not a number ("abc", "1.5")
        # and an article the user may not view are both simply not found.
        return admin_object_or_404(
            self.model_admin,
            self.request,
            self.kwargs["object_id"],
            permission="view",
            not_found="No article matches this address.",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object.published_at:
            context["publish_date"] = when(self.object.published_at, short=True)
        return context

    def get(self, request, *args, **kwargs):
        # Not the public view's get(): no redirect from former slugs here.
        self.object = self.get_object()
        response = self.render_to_response(self.get_context_data(object=self.object))
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
