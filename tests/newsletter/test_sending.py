import io
import os
import signal
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command

from newsletter import delivery, editions, subscribers
from newsletter.clicks import click_url
from newsletter.models import Delivery, Edition, Subscriber
from tests import factories
from tests.factories import NOW, ArticleFactory, EditionFactory, SubscriberFactory
from tests.newsletter.backends import SimulatedKill

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def edition():
    articles = [
        ArticleFactory(title="How to answer salary questions", excerpt="Say a range."),
        ArticleFactory(title="Writing a CV that gets read", excerpt="Keep it short."),
    ]
    return EditionFactory(
        subject="This week: salaries and CVs",
        status=Edition.Status.SCHEDULED,
        scheduled_for=NOW - timedelta(minutes=1),
        articles=articles,
    )


def make_subscribers(count, status="confirmed"):
    return factories.make_subscribers(count, status=status, name=status)


def confirmed_emails():
    return set(Subscriber.objects.confirmed().values_list("email", flat=True))


def assert_each_mailed_once(recorder):
    counts = recorder.recipients
    assert set(counts) == confirmed_emails()
    assert set(counts.values()) == {1}


# What every mail carries ------------------------------------------------------
def test_every_sent_mail_has_the_four_unsubscribe_elements(recorder, edition):
    make_subscribers(25)

    delivery.edition_send(edition=edition, batch_size=10)

    assert len(recorder.messages) == 25
    tokens = dict(Subscriber.objects.values_list("email", "token"))
    for message in recorder.messages:
        (to,) = message.to
        url = f"{SITE}/newsletter/unsubscribe/{tokens[to]}/"
        html = message.alternatives[0].content
        headers = message.message()
        assert headers["List-Unsubscribe"] == f"<{url}>"
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert url in message.body and url in html  # the visible link
        assert "CareerHub, 1 Test Street, Testtown 12345" in message.body
        assert "CareerHub, 1 Test Street, Testtown 12345" in html


def test_digest_has_text_and_html_with_each_article_and_a_browser_link(
    recorder, edition
):
    make_subscribers(1)
    gone = ArticleFactory(title="Withdrawn piece")
    edition.edition_articles.create(article=gone, position=3)
    gone.status = "draft"
    gone.save()

    delivery.edition_send(edition=edition)

    (message,) = recorder.messages
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert message.subject == "This week: salaries and CVs"
    browser = f"{SITE}/newsletter/editions/{edition.pk}/"
    for part in (message.body, html):
        assert browser in part
        assert "How to answer salary questions" in part
        assert "Say a range." in part
        for entry in edition.edition_articles.all():
            # Each live article's link goes through the site (counted).
            link = click_url(edition_id=edition.pk, article_id=entry.article_id)
            assert link.startswith(f"{SITE}/newsletter/r/")
            assert (link in part) is (entry.article.status == "published")
            assert entry.article.get_absolute_url() not in part
        assert "Withdrawn piece" not in part
    assert message.body.index("salary questions") < message.body.index("CV that")


# Who gets it ------------------------------------------------------------------
def test_recipients_are_fixed_when_sending_starts(recorder, edition):
    make_subscribers(5)
    make_subscribers(2, status="pending")
    make_subscribers(2, status="unsubscribed")
    late = SubscriberFactory(email="late@example.com", status="pending")

    def confirm_late_reader(number):
        if number == 1:
            Subscriber.objects.filter(pk=late.pk).update(status="confirmed")

    recorder.after_send = confirm_late_reader
    delivery.edition_send(edition=edition, batch_size=2)

    assert set(recorder.recipients) == {f"confirmed{n}@example.com" for n in range(5)}
    assert edition.deliveries.count() == 5


def test_subscriber_who_unsubscribes_during_sending_is_not_mailed(recorder, edition):
    readers = make_subscribers(10)
    leaver = readers[-1]

    def leaver_unsubscribes(number):
        if number == 3:
            subscribers.subscriber_unsubscribe(
                subscriber=leaver, method=Subscriber.UnsubscribeMethod.ONE_CLICK
            )

    recorder.after_send = leaver_unsubscribes
    report = delivery.edition_send(edition=edition, batch_size=100)

    assert leaver.email not in recorder.recipients
    assert len(recorder.messages) == 9
    assert report.skipped == 1
    assert Delivery.objects.get(subscriber=leaver).status == "skipped"
    edition.refresh_from_db()
    assert edition.status == "sent"


def test_draft_and_future_editions_are_not_sent(recorder):
    make_subscribers(3)
    draft = EditionFactory()
    future = EditionFactory(
        status=Edition.Status.SCHEDULED, scheduled_for=NOW + timedelta(hours=1)
    )

    delivery.edition_send(edition=draft)
    delivery.edition_send(edition=future)

    assert recorder.messages == []
    assert not Delivery.objects.exists()


def test_running_again_after_the_end_sends_nothing_more(recorder, edition):
    make_subscribers(7)

    delivery.edition_send(edition=edition, batch_size=3)
    delivery.edition_send(edition=edition, batch_size=3)
    call_command("send_newsletter", "--no-create")

    assert_each_mailed_once(recorder)
    edition.refresh_from_db()
    assert edition.status == "sent"
    assert edition.finished_at is not None


# Crashes and stops ----------------------------------------------------------
def test_sender_killed_mid_way_then_rerun_mails_everyone_exactly_once(
    recorder, edition, settings, _clock
):
    make_subscribers(50)
    # The worst moment: mail 23 has left, but the sender dies before noting it.
    recorder.kill_at = 23

    with pytest.raises(SimulatedKill):
        delivery.edition_send(edition=edition, batch_size=10)
    recorder.kill_at = None
    # Straight away, the dead sender's batch is still held: the rest goes out.
    delivery.edition_send(edition=edition, batch_size=10)
    assert len(recorder.messages) == 23 + 20  # batches 4 and 5
    # After the claim timeout its batch is taken over.
    _clock.shift(timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT + 1))
    delivery.edition_send(edition=edition, batch_size=10)

    assert_each_mailed_once(recorder)
    edition.refresh_from_db()
    assert edition.status == "sent"
    # The interrupted mail counts as failed, never retried: it did go out.
    interrupted = Delivery.objects.get(status="failed")
    assert interrupted.retryable is False
    assert interrupted.subscriber.email == recorder.messages[22].to[0]


def test_a_mail_interrupted_before_leaving_is_not_retried(
    recorder, edition, settings, _clock
):
    """At most once: a sender that dies mid-handover leaves the outcome unknown.

    The mail is not resent (it might have gone), and the admin shows it failed.
    """
    make_subscribers(12)
    recorder.kill_at = 5
    recorder.kill_after_delivery = False

    with pytest.raises(SimulatedKill):
        delivery.edition_send(edition=edition, batch_size=4)
    recorder.kill_at = None
    _clock.shift(timedelta(seconds=settings.NEWSLETTER_CLAIM_TIMEOUT + 1))
    delivery.edition_send(edition=edition, batch_size=4)

    counts = recorder.recipients
    assert len(counts) == 11
    assert set(counts.values()) == {1}
    lost = Delivery.objects.get(status="failed")
    assert lost.subscriber.email not in counts
    assert "not retried" in lost.last_error
    edition = Edition.objects.with_delivery_counts().get()
    assert (edition.recipient_count, edition.sent_count, edition.failed_count) == (
        12,
        11,
        1,
    )


def test_a_dead_senders_batch_is_taken_over_after_about_a_minute(
    recorder, edition, settings, _clock
):
    assert settings.NEWSLETTER_CLAIM_TIMEOUT == 60
    make_subscribers(10)
    recorder.kill_at = 3  # mail 3 left; the sender died before noting it

    with pytest.raises(SimulatedKill):
        delivery.edition_send(edition=edition, batch_size=10)
    recorder.kill_at = None
    _clock.shift(timedelta(seconds=59))
    early = delivery.edition_send(edition=edition, batch_size=10)
    assert early.sent == 0  # the dead sender's lease still holds
    _clock.shift(timedelta(seconds=2))
    late = delivery.edition_send(edition=edition, batch_size=10)

    assert late.sent == 7
    assert_each_mailed_once(recorder)
    interrupted = Delivery.objects.get(status="failed")
    assert (interrupted.failure, interrupted.retryable) == ("unknown", False)
    edition.refresh_from_db()
    assert edition.status == "sent"


def test_a_slow_sender_renews_its_lease_and_keeps_its_batch(
    recorder, edition, settings, _clock
):
    """Minutes pass while one sender works through its batch (a slow mail
    server); another sender started meanwhile takes none of it."""
    make_subscribers(8)
    others = []

    def time_passes_and_another_sender_starts(number):
        _clock.shift(timedelta(seconds=45))
        if number == 4:
            recorder.after_send = None
            others.append(delivery.edition_send(edition=edition, batch_size=8))
            recorder.after_send = time_passes_and_another_sender_starts

    recorder.after_send = time_passes_and_another_sender_starts
    report = delivery.edition_send(edition=edition, batch_size=8)

    assert report.sent == 8
    assert others[0].sent == 0
    assert_each_mailed_once(recorder)


def test_sigterm_finishes_the_current_mail_and_rerun_completes(recorder, edition):
    make_subscribers(30)

    def terminate(number):
        if number == 8:
            os.kill(os.getpid(), signal.SIGTERM)

    recorder.after_send = terminate
    call_command("send_newsletter", "--no-create", "--batch-size", "5")
    assert len(recorder.messages) == 8
    assert not Delivery.objects.filter(status="sending").exists()
    assert not Delivery.objects.exclude(claimed_by="").exists()  # all handed back

    recorder.after_send = None
    call_command("send_newsletter", "--no-create", "--batch-size", "5")

    assert_each_mailed_once(recorder)
    assert not Delivery.objects.filter(status="failed").exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


# Failures -------------------------------------------------------------------
def test_temporarily_refused_mail_is_recorded_and_retried_up_to_the_limit(
    recorder, edition, settings
):
    settings.NEWSLETTER_RETRY_DELAY = 0
    make_subscribers(4)
    recorder.refuse_code = 450  # mailbox busy: refused before hand-over
    recorder.refuse = {"confirmed1@example.com": 2, "confirmed2@example.com": 99}

    report = delivery.edition_send(edition=edition, batch_size=10)

    assert report.finished
    counts = recorder.recipients
    assert counts["confirmed1@example.com"] == 1  # third try went through
    assert "confirmed2@example.com" not in counts
    retried = Delivery.objects.get(subscriber__email="confirmed1@example.com")
    assert (retried.status, retried.attempts) == ("sent", 3)
    failed = Delivery.objects.get(subscriber__email="confirmed2@example.com")
    assert (failed.status, failed.attempts, failed.failure) == (
        "failed",
        3,
        "temporary",
    )
    assert failed.retryable is False  # out of tries
    assert "Busy" in failed.last_error
    edition = Edition.objects.with_delivery_counts().get()
    assert (edition.sent_count, edition.failed_count) == (3, 1)
    # Counted in mails, not attempts: two mails failed four times in all.
    assert (report.sent, report.failed, report.to_retry) == (3, 1, 0)


def test_permanently_refused_mail_is_failed_and_not_retried(
    recorder, edition, settings
):
    settings.NEWSLETTER_RETRY_DELAY = 0
    make_subscribers(3)
    recorder.refuse = {"confirmed1@example.com": 99}  # 550 No such user

    report = delivery.edition_send(edition=edition, batch_size=10)

    assert report.finished
    assert recorder.refuse == {"confirmed1@example.com": 98}  # tried once
    failed = Delivery.objects.get(subscriber__email="confirmed1@example.com")
    assert (failed.status, failed.attempts, failed.failure) == ("failed", 1, "refused")
    assert failed.retryable is False
    assert (report.sent, report.failed, report.to_retry) == (2, 1, 0)


def test_summary_counts_mails_not_attempts(recorder, edition, settings):
    settings.NEWSLETTER_RETRY_DELAY = 0
    make_subscribers(60)
    recorder.refuse_code = 421
    recorder.refuse = {f"confirmed{n}@example.com": 99 for n in range(50)}
    out = io.StringIO()

    call_command("send_newsletter", "--no-create", stdout=out)

    assert recorder.handed_over == 10
    assert "10 sent, 50 failed, 0 to retry later, 0 skipped (finished" in (
        out.getvalue()
    )


def test_failed_mail_waits_for_the_retry_delay(recorder, edition, settings, _clock):
    make_subscribers(3)
    recorder.refuse_code = 451
    recorder.refuse = {"confirmed0@example.com": 1}

    delivery.edition_send(edition=edition)
    edition.refresh_from_db()
    assert edition.status == "sending"  # one retry still to come
    assert len(recorder.messages) == 2

    _clock.shift(timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY - 5))
    delivery.edition_send(edition=edition)
    assert len(recorder.messages) == 2
    _clock.shift(timedelta(seconds=10))
    delivery.edition_send(edition=edition)

    assert_each_mailed_once(recorder)
    edition.refresh_from_db()
    assert edition.status == "sent"


def test_mail_server_down_sends_nothing_and_loses_nobody(recorder, edition):
    make_subscribers(6)
    recorder.down = True

    with pytest.raises(CommandError, match="Could not connect to the mail server"):
        call_command("send_newsletter", "--no-create")
    assert not Delivery.objects.exclude(status="pending").exists()
    assert not Delivery.objects.exclude(claimed_by="").exists()
    assert not Delivery.objects.exclude(attempts=0).exists()

    recorder.down = False
    call_command("send_newsletter", "--no-create")

    assert_each_mailed_once(recorder)


def test_mail_server_going_down_mid_batch_stops_the_run_and_loses_nobody(
    recorder, edition, settings, _clock
):
    make_subscribers(10)

    def server_dies(number):
        if number == 3:
            recorder.down = True

    recorder.after_send = server_dies
    with pytest.raises(delivery.MailServerUnavailable):
        delivery.edition_send(edition=edition)
    # The mail that met the broken connection used one try; the rest none.
    assert Delivery.objects.filter(status="failed", attempts=1).count() == 1
    assert Delivery.objects.filter(status="pending", attempts=0).count() == 6
    assert not Delivery.objects.exclude(claimed_by="").exists()

    recorder.down = False
    recorder.after_send = None
    delivery.edition_send(edition=edition)
    _clock.shift(timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY + 1))
    delivery.edition_send(edition=edition)

    assert_each_mailed_once(recorder)


# Tests to editors -------------------------------------------------------------
def test_test_mail_goes_only_to_the_editor_and_is_marked(recorder, edition):
    make_subscribers(3)

    editions.edition_send_test(edition=edition, to="editor@careerhub.example")

    (message,) = recorder.messages
    assert message.to == ["editor@careerhub.example"]
    assert message.subject == "[Test] This week: salaries and CVs"
    assert "List-Unsubscribe" in message.extra_headers
    assert not Delivery.objects.exists()
    edition.refresh_from_db()
    assert edition.status == "scheduled"


def test_test_mail_to_a_subscriber_carries_their_own_unsubscribe_link(
    recorder, edition
):
    subscriber = SubscriberFactory(email="editor@careerhub.example")

    editions.edition_send_test(edition=edition, to="editor@careerhub.example")

    assert subscriber.token in recorder.messages[0].extra_headers["List-Unsubscribe"]
