"""Review that notifies: a writer submits a draft, an editor sends it back
with a note or publishes it, and each step is mailed to whom it concerns.

Each step is a ``ReviewStep`` row made under a conditional update of the
article, so a double click or two editors at once make one step; its mail is
sent by a task that claims the row first (``review_step_mail``), so a retried
or doubled task sends one mail. The note is kept on the step, which points to
the version of the text it was about (django-reversion's revision).
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from articles import roles
from articles.models import Article, ReviewStep

from . import review_mail, versions
from .handoffs import review_mail_wanted

Kind = ReviewStep.Kind
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def editors_to_tell():
    """Active logins that may publish and have an address to mail."""
    return (
        get_user_model()
        .objects.with_perm(roles.PUBLISH_PERMISSION, backend=MODEL_BACKEND)
        .filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def writer_of(article: Article):
    """The login of the article's author, or None."""
    return getattr(article.author, "user", None) if article.author_id else None


def writer_address(article: Article) -> str:
    writer = writer_of(article)
    return writer.email if writer is not None and writer.is_active else ""


def _step(*, article: Article, kind: str, user, note: str = "") -> ReviewStep:
    latest = versions.versions_of(article).first()
    step = ReviewStep.objects.create(
        article=article,
        kind=kind,
        note=note,
        by=user if getattr(user, "pk", None) else None,
        revision=latest.revision if latest else None,
    )
    review_mail_wanted.send(sender=ReviewStep, step=step)
    return step


@transaction.atomic
def review_submit(*, article: Article, user) -> ReviewStep | None:
    """A writer's draft is ready: editors find it under "Waiting for review"
    and are mailed. None when it already waits (a double click)."""
    now = timezone.now()
    claimed = Article.objects.filter(
        pk=article.pk, review_requested_at__isnull=True
    ).update(review_requested_at=now)
    if not claimed:
        return None
    article.review_requested_at = now
    return _step(article=article, kind=Kind.SUBMITTED, user=user)


@transaction.atomic
def review_send_back(*, article: Article, user, note: str) -> ReviewStep | None:
    """An editor sends a waiting draft back with a note; the writer sees it on
    the article and by mail. None when it no longer waits."""
    claimed = Article.objects.filter(
        pk=article.pk,
        status=Article.Status.DRAFT,
        review_requested_at__isnull=False,
    ).update(review_requested_at=None)
    if not claimed:
        return None
    article.review_requested_at = None
    return _step(article=article, kind=Kind.SENT_BACK, user=user, note=note.strip())


def review_claim_published(*, article: Article) -> bool:
    """Inside a publish, before it is written: whether the draft waited for
    review (it no longer does; one publish of two at once gets True)."""
    claimed = Article.objects.filter(
        pk=article.pk, review_requested_at__isnull=False
    ).update(review_requested_at=None)
    article.review_requested_at = None
    return bool(claimed)


def review_published(*, article: Article, user) -> ReviewStep:
    """Inside a publish, once written: tell the writer of a draft that
    waited for review (``review_claim_published`` said so)."""
    return _step(article=article, kind=Kind.PUBLISHED, user=user)


def latest_note(article: Article) -> ReviewStep | None:
    """The note of the last send-back, while the writer has not resubmitted."""
    if article.pk is None or article.review_requested_at is not None:
        return None
    last = article.review_steps.select_related("by").first()
    return last if last is not None and last.kind == Kind.SENT_BACK else None


def review_step_mail(*, step_id: int) -> str:
    """Mail what step ``step_id`` says, once: the row is claimed in the
    transaction that sends, so a second run (a retry, a second worker)
    waits for it and then finds it done. A failed send rolls the claim back
    and raises, so the task is retried."""
    with transaction.atomic():
        claimed = ReviewStep.objects.filter(pk=step_id, mailed_at__isnull=True).update(
            mailed_at=timezone.now()
        )
        if not claimed:
            return "mailed already (or the step is gone)"
        step = ReviewStep.objects.select_related("article__author__user", "by").get(
            pk=step_id
        )
        outcome = review_mail.send_step_mail(step=step, editors=editors_to_tell())
        ReviewStep.objects.filter(pk=step_id).update(mail_outcome=outcome[:200])
    return outcome


def review_bar(article: Article | None, *, viewer) -> dict:
    """What the form shows of the review: the editor's note while it
    stands, and whether the viewer may send the draft back."""
    if article is None:
        return {}
    waiting = (
        article.status == Article.Status.DRAFT
        and article.review_requested_at is not None
    )
    return {
        "note": latest_note(article),
        "may_send_back": waiting and roles.can_publish(viewer),
        "writer_unreachable": not writer_address(article),
    }


def submit_told(step: ReviewStep | None) -> str:
    """Who a submission tells by mail, in words ("" when it was a repeat)."""
    if step is None:
        return ""
    if editors_to_tell().exists():
        return "The editors are told by mail. "
    return "No editor has an email address, so none is told by mail. "
