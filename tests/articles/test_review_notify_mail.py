"""The review mails pass SpamAssassin like the newsletter's (score at most
1.0, local tests only) and read well as plain text."""

import email
import email.policy

import pytest
import time_machine

from articles.models import ReviewStep
from desk import review_mail
from tests.factories import NOW, DraftArticleFactory, EditorFactory, WriterFactory
from tests.newsletter.test_mail_quality import MAX_SPAM_SCORE, spam_score

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "CareerHub <newsletter@careerhub.example>"


def step_bytes(kind: str) -> bytes:
    with time_machine.travel(NOW, tick=False):
        writer = WriterFactory(username="wanda", first_name="Wanda", last_name="Lee")
        editor = EditorFactory(username="edna", first_name="Edna", last_name="Moss")
        article = DraftArticleFactory(
            author=writer.author, title="How to ask for the salary range"
        )
        step = ReviewStep.objects.create(
            article=article,
            kind=kind,
            by=writer if kind == "submitted" else editor,
            note="Add a source for the figures in the second section, please."
            if kind == "sent_back"
            else "",
        )
        to = ["edna@example.com"] if kind == "submitted" else ["wanda@example.com"]
        message = review_mail.step_message(step=step, to=to)
        return message.message(policy=email.policy.SMTP).as_bytes()


@pytest.mark.parametrize("kind", ["submitted", "sent_back", "published"])
def test_spamassassin_scores_each_review_mail_at_most_one(kind, capsys):
    score, status = spam_score(step_bytes(kind))

    with capsys.disabled():
        print(f"\nSpamAssassin review {kind}: {status}")
    assert score <= MAX_SPAM_SCORE, status


@pytest.mark.parametrize("kind", ["submitted", "sent_back", "published"])
def test_each_review_mail_is_plain_text_with_its_headers(kind):
    parsed = email.message_from_bytes(step_bytes(kind), policy=email.policy.default)

    assert parsed.get_content_type() == "text/plain"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["From"] == "CareerHub <newsletter@careerhub.example>"
    assert parsed["Message-ID"].endswith("@careerhub.example>")
    text = parsed.get_content()
    assert "{{" not in text and "{%" not in text and "&quot;" not in text
    assert f"{SITE}/admin/articles/article/" in text
    # Lines fit a mail program's window (links may run on).
    assert all(len(line) <= 78 for line in text.splitlines() if SITE not in line)
