"""Mail quality gate: SpamAssassin's score (local tests only, no network), the
digest's plain-text part read by itself, and the HTML part through the Nu Html
Checker (npm vnu-jar, needs Java).

A missing tool skips its test with the way to install it, except in CI
(CI=true), where .ci/run installs them and a missing one fails."""

import email
import email.policy
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from newsletter.clicks import click_url
from newsletter.emails import DigestMail, Recipient, confirmation_message
from newsletter.models import Edition
from tests.factories import NOW, ArticleFactory, EditionFactory, SubscriberFactory
from tests.npm import need, npm_package

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
MAX_SPAM_SCORE = 1.0
VNU_DIR = Path(__file__).parents[1] / "e2e" / ".vnu"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "CareerHub <newsletter@careerhub.example>"


@pytest.fixture
def edition():
    with time_machine.travel(NOW, tick=False):
        return EditionFactory(
            subject="This week: salaries and CVs",
            intro="Two pieces to help you get the job you want.",
            status=Edition.Status.SCHEDULED,
            scheduled_for=NOW - timedelta(minutes=1),
            articles=[
                ArticleFactory(
                    title="How to answer salary questions",
                    excerpt="Give a researched range,\nnot a single number.",
                ),
                ArticleFactory(
                    title="Writing a CV that gets read",
                    excerpt="One page, the newest work first, numbers over adjectives.",
                ),
            ],
        )


@pytest.fixture
def reader():
    return SubscriberFactory(email="reader@example.com", status="confirmed")


def digest_bytes(edition, reader) -> bytes:
    mail = DigestMail(edition=edition)
    return mail.as_bytes(Recipient(1, reader.email, reader.token), address=reader.email)


def confirmation_bytes(reader) -> bytes:
    message = confirmation_message(subscriber=reader, issued_at=NOW)
    return message.message(policy=email.policy.SMTP).as_bytes()


def spam_score(raw: bytes) -> tuple[float, str]:
    if shutil.which("spamassassin") is None:
        need("spamassassin", "apt-get install spamassassin")
    result = subprocess.run(
        # Local tests only; learn nothing from these mails.
        ["spamassassin", "-t", "-L", "--cf=bayes_auto_learn 0", "--cf=use_bayes 0"],
        input=raw,
        capture_output=True,
        check=True,
        timeout=120,
    )
    checked = email.message_from_bytes(result.stdout)
    status = checked["X-Spam-Status"]
    score = float(re.search(r"score=(-?[\d.]+)", status).group(1))
    return score, " ".join(status.split())


@pytest.mark.parametrize("mailbox", ["", "unsubscribe@careerhub.example"])
@pytest.mark.parametrize("kind", ["confirmation", "digest"])
def test_spamassassin_scores_each_mail_at_most_one(
    kind, mailbox, edition, reader, capsys, settings
):
    """With the https unsubscribe link alone, and with the mailto after it."""
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = mailbox
    raw = (
        confirmation_bytes(reader)
        if kind == "confirmation"
        else (digest_bytes(edition, reader))
    )

    score, status = spam_score(raw)

    with capsys.disabled():
        print(f"\nSpamAssassin {kind} (mailto: {bool(mailbox)}): {status}")
    assert score <= MAX_SPAM_SCORE, status


def test_the_digest_text_reads_well_by_itself(edition, reader):
    parsed = email.message_from_bytes(
        digest_bytes(edition, reader), policy=email.policy.default
    )
    text = parsed.get_body(("plain",)).get_content()
    unsubscribe = f"{SITE}/newsletter/unsubscribe/{reader.token}/"

    lines = [line.strip() for line in text.splitlines()]
    # Both articles, in the editors' order (not the code's own list of them).
    articles = [entry.article for entry in edition.edition_articles.all()]
    assert [article.title for article in articles] == [
        "How to answer salary questions",
        "Writing a CV that gets read",
    ]
    positions = []
    for article in articles:
        at = lines.index(f"* {article.title}")
        positions.append(at)
        assert lines[at + 1 : at + 4] == [
            f"By {article.author.name}",
            " ".join(article.summary.split()),  # the excerpt, on one line
            # Through the site, to count the click; the same for everyone.
            click_url(edition_id=edition.pk, article_id=article.pk),
        ]
    assert positions == sorted(positions)
    assert unsubscribe in text
    assert "CareerHub, 1 Test Street, Testtown 12345" in text
    assert "<" not in text and "{%" not in text and "{{" not in text
    for link in re.findall(r"https?://\S+", text):
        assert link.startswith(SITE), link
    assert max(len(line) for line in text.splitlines()) <= 998


def vnu_jar() -> Path:
    """vnu.jar from npm's vnu-jar, installed once into a git-ignored folder."""
    return npm_package("vnu-jar@24", VNU_DIR) / "build" / "dist" / "vnu.jar"


@pytest.mark.parametrize("kind", ["confirmation", "digest"])
def test_the_html_part_passes_the_nu_html_checker(kind, edition, reader, tmp_path):
    if shutil.which("java") is None:
        need("java", "apt-get install default-jre-headless")
    raw = (
        confirmation_bytes(reader)
        if kind == "confirmation"
        else (digest_bytes(edition, reader))
    )
    html = email.message_from_bytes(raw, policy=email.policy.default).get_body(
        ("html",)
    )
    page = tmp_path / f"{kind}.html"
    page.write_text(html.get_content(), encoding="utf-8")

    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", str(page)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
