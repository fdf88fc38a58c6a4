"""The editor's desk endpoints: live preview, autosave, versions and restore.

Served under the admin (login and CSRF checks), with the ArticleAdmin's own
rules for who may see and change which article.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST
from reversion.models import Version

from articles import body as article_body
from articles import read_more
from articles.models import Article, State
from httpguard import ratelimit

from . import versions
from .admin_objects import admin_object_or_404, admin_page_context
from .moments import when
from .typed_text import typed_text

# Far beyond any article (the longest demo one is ~1,500 words), small enough
# that a preview on every pause in typing stays cheap.
MAX_BODY_CHARS = 100_000
MAX_TITLE_CHARS = Article._meta.get_field("title").max_length


# Previews are limited by the server time they take, per editor: a text made
# to be slow ("[" * 99,000 takes about a second: markdown-it tries a link at
# every "[", a linear cost but a large one) uses the share up in seconds,
# while typing an ordinary article (a few ms a preview) never meets the limit.
# Each preview counts at least PREVIEW_MIN_COST_MS, which bounds their number.
PREVIEW_SCOPE = "articles-preview-ms"
PREVIEW_MIN_COST_MS = 50


def _preview_budget() -> tuple[int, int]:
    """ARTICLES_PREVIEW_BUDGET ('10/minute': seconds of server time) in ms."""
    seconds, period = ratelimit.parse_rate(settings.ARTICLES_PREVIEW_BUDGET)
    return seconds * 1000, period


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


NOT_FOUND = "No article matches this address."


def _article_for_change(model_admin, request, object_id) -> Article:
    return admin_object_or_404(
        model_admin, request, object_id, permission="change", not_found=NOT_FOUND
    )


# -- Live preview --------------------------------------------------------------


@require_POST
def preview(request, model_admin):
    """The body as readers will get it, with the viewer's "Read more" rights.

    References to articles the viewer may not see render as missing, exactly
    as the form treats them: a writer learns nothing of others' drafts.
    """
    if not (
        model_admin.has_add_permission(request)
        or model_admin.has_change_permission(request)
    ):
        raise PermissionDenied
    who, budget = f"user-{request.user.pk}", _preview_budget()
    if wait := ratelimit.over(request, scope=PREVIEW_SCOPE, rate=budget, who=who):
        response = _error(
            "Preview paused: your previews used their share of the server's "
            f"time. It comes back in {wait} second{'s' if wait != 1 else ''}.",
            429,
        )
        response["Retry-After"] = str(wait)
        return response
    started = time.monotonic()
    body = request.POST.get("body")
    if body is None:
        return _error("Send the article text as “body”.", 400)
    if len(body) > MAX_BODY_CHARS:
        return _error(
            f"The text is too long to preview (over {MAX_BODY_CHARS:,} characters).",
            413,
        )
    draft = Article(body=typed_text(body))
    missing = read_more.link_article(draft, viewer=request.user)
    draft.render()
    response = JsonResponse(
        {
            "html": article_body.for_page(draft, viewer=request.user),
            "words": draft.word_count,
            "minutes": draft.reading_minutes,
            "missing": missing,
        }
    )
    add_never_cache_headers(response)
    spent_ms = int((time.monotonic() - started) * 1000)
    ratelimit.hit(
        request,
        scope=PREVIEW_SCOPE,
        rate=budget,
        who=who,
        cost=max(PREVIEW_MIN_COST_MS, spent_ms),
    )
    return response


# -- Autosave --------------------------------------------------------------------


@require_POST
@transaction.atomic
def autosave(request, model_admin, object_id):
    """Save a draft's title and body, unless someone saved a newer version.

    Answers 409 when the article changed since the editor's form was loaded
    (nothing is written: the text stays in the editor's browser), or when it
    is not a draft (a live text changes only when its editor saves).
    """
    title = " ".join(request.POST.get("title", "").split())
    # Stripped as the form strips it, so an autosave and a save store the same.
    body = request.POST.get("body", "").strip() or None
    token = request.POST.get("edit_token", "")
    if body is None or not title:
        return _error("Not autosaved: the article needs a title and a text.", 400)
    if len(body) > MAX_BODY_CHARS or len(title) > MAX_TITLE_CHARS:
        return _error("Not autosaved: the text is too long.", 413)
    article = _article_for_change(model_admin, request, object_id)
    if article.state != State.DRAFT:
        return _error(
            "Autosave is off: this article is not a draft, so readers would "
            "see every change. Save when the text is ready.",
            409,
        )
    if versions.locked_token(article.pk) != token:
        return _autosave_conflict(article)
    # As the form does: a reference the editor may not see is refused, never
    # resolved behind their back when the article is saved.
    article.body = typed_text(body)
    if missing := read_more.link_article(article, viewer=request.user):
        names = ", ".join(f"“{ref}”" for ref in missing)
        return _error(
            f"Not autosaved: no article matches the “Read more” reference {names}.",
            400,
        )
    article = versions.article_autosave(
        article=article, user=request.user, title=title, body=article.body
    )
    return JsonResponse(
        {
            "edit_token": versions.edit_token(article.modified_at),
            "saved_at": when(article.modified_at, short=True),
        }
    )


def _autosave_conflict(article: Article) -> JsonResponse:
    who = versions.last_saved_by(article)
    return JsonResponse(
        {
            "error": f"Not autosaved: {who} saved a newer "
            "version while you were writing. Your text is still here; "
            "save to compare the two.",
            "conflict": True,
        },
        status=409,
    )


# -- Versions ----------------------------------------------------------------------


def versions_page(request, model_admin, object_id):
    """The article's versions; two of them compared; a restore button each."""
    article = admin_object_or_404(
        model_admin,
        request,
        object_id,
        permission="view_or_change",
        not_found=NOT_FOUND,
    )
    # With the review steps (and their notes) about each version.
    kept = list(
        versions.versions_of(article).prefetch_related("revision__review_steps__by")
    )
    by_id = {str(version.pk): version for version in kept}
    older = by_id.get(request.GET.get("from", ""))
    newer = by_id.get(request.GET.get("to", ""))
    if newer is None and kept:
        newer = kept[0]  # "Compare with the latest"
    if older is None and len(kept) > 1 and newer == kept[0]:
        older = kept[1]
    comparison = None
    if older is not None and newer is not None:
        comparison = {
            "older": older,
            "newer": newer,
            "title_changed": older.field_dict.get("title")
            != newer.field_dict.get("title"),
            "lines": versions.diff_lines(
                older.field_dict.get("body"), newer.field_dict.get("body")
            ),
        }
    context = admin_page_context(
        request,
        model_admin,
        f"Versions of “{article}”",
        subtitle=None,
        original=article,
        versions=kept,
        comparison=comparison,
        can_restore=model_admin.has_change_permission(request, article),
        restore_asks=versions.restore_asks_first(article),
        edit_token=versions.edit_token(article.modified_at),
        change_url=reverse("admin:articles_article_change", args=[article.pk]),
    )
    response = TemplateResponse(
        request, "admin/articles/article/versions.html", context
    )
    add_never_cache_headers(response)
    return response


@require_POST
@transaction.atomic
def restore(request, model_admin, object_id, version_id):
    article = _article_for_change(model_admin, request, object_id)
    version = get_object_or_404(
        Version.objects.get_for_object(article).select_related("revision"),
        pk=version_id,
    )
    change_url = reverse("admin:articles_article_change", args=[article.pk])
    if versions.locked_token(article.pk) != request.POST.get("edit_token", ""):
        who = versions.last_saved_by(article)
        messages.error(
            request,
            f"Not restored: {who} saved a newer version since "
            "you opened the list of versions. Look at the versions again.",
        )
        return HttpResponseRedirect(
            reverse("admin:articles_article_versions", args=[article.pk])
        )
    question = versions.restore_question(article=article, version=version)
    if question and request.POST.get("confirm") != "yes":
        return _restore_confirmation(request, model_admin, article, version, question)
    versions.article_restore(article=article, version=version, user=request.user)
    messages.success(
        request,
        f"The version of {when(version.revision.date_created, short=True)} is back; "
        "the text it replaced is kept as a version too.",
    )
    return HttpResponseRedirect(change_url)


def _restore_confirmation(request, model_admin, article, version, question):
    """Restoring into an article readers see (or will) asks first, as the
    publishing buttons do, showing what changes."""
    context = admin_page_context(
        request,
        model_admin,
        f"Restore an earlier version of “{article}”?",
        subtitle=None,
        original=article,
        question=question,
        comparison=versions.restore_comparison(article=article, version=version),
        edit_token=request.POST.get("edit_token", ""),
        versions_url=reverse("admin:articles_article_versions", args=[article.pk]),
        change_url=reverse("admin:articles_article_change", args=[article.pk]),
    )
    response = TemplateResponse(
        request, "admin/articles/article/restore_confirm.html", context
    )
    add_never_cache_headers(response)
    return response
