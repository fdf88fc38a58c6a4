"""The live preview's page: the public article page, framed beside the body.

The article form's preview pane holds an iframe showing this page (the
readers' template and stylesheet, at phone or desktop width); the form's
script (static/js/desk-preview-frame.js) then writes the unsaved title and
body, rendered by the live preview endpoint, into it as the editor types.
Only this page may be framed, and only by the site itself.
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.csp import CSP
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from articles import roles
from articles.models import TOPICS_ATTR, Article, Author

from .preview import ArticlePreviewView

# The site's policy, but framed by the site's own pages (the article form).
FRAME_CSP = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
# The frame is sandboxed without scripts: the page's own (sharing buttons)
# are left out rather than blocked, each with an error in the console.
SCRIPT_FILE = re.compile(r"<script\b[^>]*\bsrc=[^>]*>\s*</script>\s*", re.I)


class PreviewFrameView(ArticlePreviewView):
    """The saved article's page (its cover, byline and topics), or for a new
    article a page with none of them yet, for the editor's text to fill."""

    def get_object(self, queryset=None):
        if self.kwargs.get("object_id") is not None:
            return super().get_object(queryset)
        if not (
            self.model_admin.has_add_permission(self.request)
            or self.model_admin.has_change_permission(self.request)
        ):
            raise PermissionDenied
        return new_article_stand_in(self.request.user)

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        response.add_post_render_callback(_without_script_files)
        return response


def _without_script_files(response):
    response.content = SCRIPT_FILE.sub("", response.content.decode())


def new_article_stand_in(user) -> Article:
    """An unsaved article as the page shows one that has only a text."""
    article = Article(title="", slug="new-article", body="")
    # The editor's own author where their login has one, as the form's default.
    article.author = roles.author_of(user) or Author(
        name=user.get_full_name() or user.get_username(), slug="new-author"
    )
    setattr(article, TOPICS_ATTR, [])  # no topics yet (and no query for them)
    return article


def preview_frame_view(model_admin):
    view = PreviewFrameView.as_view(model_admin=model_admin)
    return csp_override(FRAME_CSP)(xframe_options_sameorigin(view))
