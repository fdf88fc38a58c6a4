"""Versions of an article's text, and the guard against lost edits.

Every save from the editor's desk keeps a version of the title, excerpt and
body (django-reversion, registered in ``ArticlesConfig.ready``): editors
compare two versions and restore one, the restore being a new version.

Two people editing one article must not overwrite each other. The form
carries the ``edit_token`` of the article it was loaded from (its
``modified_at``, which every write changes); a save whose token is no longer
the stored one is refused, under a row lock, and the refused text is kept as
a version too, so neither text is lost.
"""

import difflib
import re
from contextlib import contextmanager
from dataclasses import dataclass

import reversion
from django.db import transaction
from reversion.models import Revision, Version

from articles.models import Article
from articles.publication import is_published_or_scheduled
from articles.services import article_write

from .moments import when

VERSIONED_FIELDS = ("title", "excerpt", "body")
AUTOSAVE = "Autosaved"
REFUSED = "Not saved: "


def register() -> None:
    # A save that leaves the text as the last version has it (a new topic, a
    # cover, nothing at all) keeps no version: the history lists changes.
    if not reversion.is_registered(Article):
        reversion.register(Article, fields=VERSIONED_FIELDS, ignore_duplicates=True)


# -- The edit token ---------------------------------------------------------


def edit_token(modified_at) -> str:
    """The token a form carries: the article's last write, in microseconds."""
    return str(round(modified_at.timestamp() * 1_000_000)) if modified_at else ""


def locked_token(article_pk: int) -> str | None:
    """The stored token, with the row locked until the transaction ends, so a
    concurrent save waits and then sees this one's write. None: no article."""
    stored = (
        Article.objects.select_for_update()
        .filter(pk=article_pk)
        .values_list("modified_at", flat=True)
        .first()
    )
    return None if stored is None else edit_token(stored)


# -- Keeping versions ---------------------------------------------------------


def versions_of(article: Article):
    """The article's versions, newest first, with who saved each."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def last_saved_by(article: Article) -> str:
    """Who saved the stored text last, as a sentence's subject."""
    latest = versions_of(article).first()
    user = latest.revision.user if latest else None
    return (user.get_full_name() or user.get_username()) if user else "Someone else"


def is_own_autosave(article: Article, user) -> bool:
    """Whether the stored text is ``user``'s own autosave: their form may be
    a step behind it (an autosave still in flight when they pressed Save)."""
    latest = versions_of(article).first()
    return bool(
        latest
        and latest.revision.comment == AUTOSAVE
        and latest.revision.user_id == getattr(user, "pk", None)
    )


def keep_baseline(article: Article) -> None:
    """Keep the stored text of an article edited for the first time since
    versions are kept (demo content, older articles), so it can come back."""
    if not article.pk or versions_of(article).exists():
        return
    stored = Article.objects.filter(pk=article.pk).first()
    if stored is None:
        return
    with reversion.create_revision(atomic=False):
        reversion.set_comment("As it was before versions were kept")
        reversion.set_date_created(stored.modified_at)
        reversion.add_to_revision(stored)


@contextmanager
def saving_version(*, article: Article, user, comment: str):
    """Every save of ``article`` inside the block keeps one version."""
    keep_baseline(article)
    with reversion.create_revision(atomic=False):
        reversion.set_user(user)
        reversion.set_comment(comment)
        yield


def keep_unsaved(*, article: Article, user, title: str, body: str, excerpt: str):
    """Keep text that could not be saved as a version (the article unchanged).

    Inside an open revision (the admin's form view), it becomes that revision.
    """
    copy = Article(pk=article.pk, title=title, body=body, excerpt=excerpt)
    with reversion.create_revision(atomic=False):
        reversion.set_user(user)
        reversion.set_comment(f"{REFUSED}someone else had saved a newer version")
        reversion.add_to_revision(copy)


@transaction.atomic
def article_autosave(*, article: Article, user, title: str, body: str) -> Article:
    """Save a draft's title and body as typed so far.

    Autosaves by one person in a row replace each other's version, so the
    history shows one entry per sitting, not one per minute.
    """
    latest = versions_of(article).first()
    article.title, article.body = title, body
    with saving_version(article=article, user=user, comment=AUTOSAVE):
        article_write(article=article, update_fields=["title", "body", "modified_at"])
    if (
        latest is not None
        # Unchanged text keeps no version: the last one stays.
        and versions_of(article).first() != latest
        and latest.revision.comment == AUTOSAVE
        and latest.revision.user_id == getattr(user, "pk", None)
    ):
        Revision.objects.filter(pk=latest.revision_id).delete()
    return article


@transaction.atomic
def article_restore(*, article: Article, version: Version, user) -> Article:
    """Put back a version's text; the restore is itself a new version."""
    fields = version.field_dict
    for name in VERSIONED_FIELDS:
        setattr(article, name, fields.get(name) or "")
    saved = when(version.revision.date_created, short=True)
    with saving_version(
        article=article, user=user, comment=f"Restored the version of {saved}"
    ):
        article_write(article=article, update_fields=[*VERSIONED_FIELDS, "modified_at"])
    return article


def restore_asks_first(article: Article) -> bool:
    """Restoring into a live or scheduled article asks first, as publishing
    does; a draft, which readers do not see, is restored in one click."""
    return is_published_or_scheduled(article)


def restore_question(*, article: Article, version: Version) -> str:
    """What restoring ``version`` changes for readers, asked before doing it
    (empty when it does not ask)."""
    if not restore_asks_first(article):
        return ""
    saved = when(version.revision.date_created, short=True)
    if article.is_live:
        return (
            f"Readers see the version of {saved} on the live page as soon as you "
            "confirm: its title and text replace what the page shows now."
        )
    return (
        f"Readers will see the version of {saved} when the article goes live, "
        f"{when(article.published_at)}: its title and text replace the "
        "scheduled ones as soon as you confirm."
    )


def restore_comparison(*, article: Article, version: Version) -> dict:
    """What the page shows now against what the restore puts back."""
    fields = version.field_dict
    return {
        "title_now": article.title,
        "title_restored": fields.get("title") or "",
        "lines": diff_lines(article.body, fields.get("body") or ""),
    }


# -- Comparing ---------------------------------------------------------------


@dataclass
class DiffLine:
    kind: str  # "same", "added" or "removed"
    text: str
    words: list  # (changed: bool, text) pieces, for a changed line


_WORDS = re.compile(r"\s+|[^\s]+")


def _word_pieces(old: str, new: str) -> tuple[list, list]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    removed, added = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed.append((tag != "equal", "".join(a[i1:i2])))
        added.append((tag != "equal", "".join(b[j1:j2])))
    removed, added = [p for p in removed if p[1]], [p for p in added if p[1]]
    # A line rewritten from end to end reads better unmarked.
    if not any(not changed and text.strip() for changed, text in removed):
        return [], []
    return removed, added


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """A readable line diff of two texts; changed words marked in changed lines."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    lines = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        a=a, b=b, autojunk=False
    ).get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", text, []) for text in a[i1:i2]]
            continue
        olds, news = a[i1:i2], b[j1:j2]
        pairs = min(len(olds), len(news)) if tag == "replace" else 0
        for index, text in enumerate(olds):
            words = _word_pieces(text, news[index])[0] if index < pairs else []
            lines.append(DiffLine("removed", text, words))
        for index, text in enumerate(news):
            words = _word_pieces(olds[index], text)[1] if index < pairs else []
            lines.append(DiffLine("added", text, words))
    return lines
