"""The welcome mail through the same quality gate as the other mails: its
raw bytes (as an SMTP server receives them) scored by SpamAssassin, read by
npm's mailparser, and its HTML part through the Nu Html Checker."""

import email
import email.policy
import shutil
import subprocess
from datetime import timedelta

import pytest
import time_machine

from newsletter.models import Edition, NewsletterSettings
from newsletter.welcome import welcome_message
from tests.factories import NOW, EditionFactory, SubscriberFactory
from tests.newsletter.test_headers import mailparser  # noqa: F401 (a fixture)
from tests.newsletter.test_mail_quality import MAX_SPAM_SCORE, spam_score, vnu_jar
from tests.npm import need

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.DEFAULT_FROM_EMAIL = "CareerHub <newsletter@careerhub.example>"


@pytest.fixture
def reader():
    return SubscriberFactory(email="reader@example.com")


@pytest.fixture(params=["", "unsubscribe@careerhub.example"], ids=["https", "mailto"])
def mailbox(request, settings):
    """List-Unsubscribe with the https link alone, and with the mailto after it."""
    settings.NEWSLETTER_UNSUBSCRIBE_MAILBOX = request.param
    return request.param


@pytest.fixture(params=["with an edition", "before the first edition"])
def welcome_bytes(request, reader, mailbox):
    with time_machine.travel(NOW, tick=False):
        if request.param == "with an edition":
            EditionFactory(
                subject="This week: salaries and CVs",
                status=Edition.Status.SENT,
                started_at=NOW - timedelta(days=6),
            )
        words = NewsletterSettings.load()
        words.welcome_text = (
            "Thank you for confirming.\n\nEvery week we pick the most useful "
            "new articles on interviews, salaries and changing careers."
        )
        words.save()
        message = welcome_message(subscriber=reader)
    return message.message(policy=email.policy.SMTP).as_bytes()


def test_spamassassin_scores_the_welcome_at_most_one(welcome_bytes, mailbox, capsys):
    score, status = spam_score(welcome_bytes)

    with capsys.disabled():
        print(f"\nSpamAssassin welcome (mailto: {bool(mailbox)}): {status}")
    assert score <= MAX_SPAM_SCORE, status


def test_npm_mailparser_reads_the_welcome(
    welcome_bytes,
    reader,
    mailbox,
    mailparser,  # noqa: F811
):
    headers = mailparser(welcome_bytes)

    unsubscribe = headers["list"]["unsubscribe"]
    assert unsubscribe["url"] == f"{SITE}/newsletter/unsubscribe/{reader.token}/"
    assert headers["list"]["unsubscribe-post"] == {"name": "List-Unsubscribe=One-Click"}
    # With a mailbox, mailparser reads the mailto after the https link too.
    assert (f"unsubscribe+{reader.token}@" in str(unsubscribe)) == bool(mailbox)
    assert headers["messageId"].endswith("@careerhub.example>")


def test_the_welcome_text_reads_well_by_itself(welcome_bytes, reader):
    parsed = email.message_from_bytes(welcome_bytes, policy=email.policy.default)
    text = parsed.get_body(("plain",)).get_content()

    assert (
        "<" not in text and "{%" not in text and "{{" not in text and "%%" not in text
    )
    assert f"{SITE}/newsletter/preferences/{reader.token}/" in text
    assert "CareerHub, 1 Test Street, Testtown 12345" in text
    assert max(len(line) for line in text.splitlines()) <= 998


def test_the_welcome_html_passes_the_nu_html_checker(welcome_bytes, tmp_path):
    if shutil.which("java") is None:
        need("java", "apt-get install default-jre-headless")
    html = email.message_from_bytes(
        welcome_bytes, policy=email.policy.default
    ).get_body(("html",))
    page = tmp_path / "welcome.html"
    page.write_text(html.get_content(), encoding="utf-8")

    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", str(page)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
