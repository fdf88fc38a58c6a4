"""The article admin's own pages, beside Django's: preview, topic
suggestions, Markdown help, live preview, autosave, versions, restore, the
publishing confirmation and sending a draft back (ArticleAdmin.get_urls
puts them first)."""

from functools import partial

from django.urls import path

from . import editor_views
from .preview import ArticlePreviewView
from .preview_frame import preview_frame_view
from .publish_pages import publish_page
from .review_pages import send_back_page
from .writing_aids import markdown_help_page, topic_suggestions_page


def article_admin_urls(model_admin) -> list:
    def page(route, view, name):
        view = partial(view, model_admin=model_admin)
        return path(
            route,
            model_admin.admin_site.admin_view(view),
            name=f"articles_article_{name}",
        )

    preview = ArticlePreviewView.as_view(model_admin=model_admin)
    return [
        path(
            "<path:object_id>/preview/",
            model_admin.admin_site.admin_view(preview),
            name="articles_article_preview",
        ),
        page("topics/", topic_suggestions_page, "topics"),
        page("markdown-help/", markdown_help_page, "markdown_help"),
        page("live-preview/", editor_views.preview, "live_preview"),
        path(
            "live-preview/page/",
            model_admin.admin_site.admin_view(preview_frame_view(model_admin)),
            name="articles_article_preview_frame",
        ),
        path(
            "<path:object_id>/live-preview/page/",
            model_admin.admin_site.admin_view(preview_frame_view(model_admin)),
            name="articles_article_preview_frame",
        ),
        page("<path:object_id>/autosave/", editor_views.autosave, "autosave"),
        page("<path:object_id>/versions/", editor_views.versions_page, "versions"),
        page(
            "<path:object_id>/versions/<int:version_id>/restore/",
            editor_views.restore,
            "restore",
        ),
        page("<path:object_id>/publish/", publish_page, "publish"),
        page("<path:object_id>/send-back/", send_back_page, "send_back"),
    ]
