"""The review mails: plain text, one per review step, to the editors (a
draft submitted) or to the writer (sent back with a note, published)."""

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles.models import ReviewStep
from reader.site_urls import site_parts, site_url

from .moments import when

Kind = ReviewStep.Kind
SUBJECTS = {
    Kind.SUBMITTED: "Ready for review: “{title}”",
    Kind.SENT_BACK: "Sent back with a note: “{title}”",
    Kind.PUBLISHED: "Published: “{title}”",
}
NO_EDITOR = "no mail: no editor has an email address"
NO_WRITER = "no mail: the writer's login has no email address"


def one_line(value: str) -> str:
    # Header values never carry line breaks (no header injection).
    return " ".join(value.split())


def person(user) -> str:
    if user is None:
        return "An editor"
    return user.get_full_name() or user.get_username()


def recipients(step: ReviewStep, editors) -> list[str]:
    if step.kind == Kind.SUBMITTED:
        return [user.email for user in editors]
    writer = getattr(step.article.author, "user", None)
    return [writer.email] if writer is not None and writer.email else []


def step_message(*, step: ReviewStep, to: list[str]) -> EmailMessage:
    article = step.article
    change_path = reverse("admin:articles_article_change", args=[article.pk])
    scheduled = step.kind == Kind.PUBLISHED and not article.is_live
    context = {
        "step": step,
        "article": article,
        "by": person(step.by),
        "at": when(step.created_at),
        "change_url": site_url(change_path),
        "live_url": site_url(article.get_absolute_url()) if article.is_live else "",
        "goes_live": when(article.published_at) if scheduled else "",
    }
    subject = SUBJECTS[step.kind].format(title=article.title)
    if scheduled:
        subject = f"Scheduled: “{article.title}”"
    reply_to = [step.by.email] if step.by is not None and step.by.email else []
    return EmailMessage(
        subject=one_line(subject),
        body=render_to_string(f"desk/email/review_{step.kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
        headers={
            "Message-ID": make_msgid(domain=site_parts().hostname or "localhost"),
            # RFC 3834: no out-of-office replies to a notification.
            "Auto-Submitted": "auto-generated",
        },
    )


def send_step_mail(*, step: ReviewStep, editors) -> str:
    """Send the step's mail (raises when the mail server fails); what was done."""
    to = recipients(step, editors)
    if not to:
        return NO_EDITOR if step.kind == Kind.SUBMITTED else NO_WRITER
    step_message(step=step, to=to).send()
    return f"mailed to {len(to)} at {timezone.now().isoformat(timespec='seconds')}"
