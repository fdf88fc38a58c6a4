"""Mails of unknown outcome (issue 20 item 3): what a killed sender costs,
and an editor's deliberate resend of those mails from the admin."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from newsletter import delivery, editions
from newsletter.models import Delivery, Edition
from tests.factories import NOW, EditionFactory, UserFactory, make_subscribers
from tests.newsletter.backends import SimulatedKill

EDITIONS = "/admin/newsletter/edition/"
DELIVERIES = "/admin/newsletter/delivery/"


# What a kill costs -------------------------------------------------------------
class Kill:
    """Once armed, every sender dies at its next mail, all at the same moment
    (a barrier of as many parties as the process has senders): the worst
    point, every sender with a mail of its own in flight."""

    armed_after = 0
    after_delivery = True
    barrier: threading.Barrier | None = None
    lock = threading.Lock()
    handed_over: list[str] = []


class KillingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            with Kill.lock:
                armed = (
                    Kill.barrier is not None
                    and len(Kill.handed_over) >= Kill.armed_after
                )
                if not armed or Kill.after_delivery:
                    Kill.handed_over.append(message.to[0])
            if armed:
                Kill.barrier.wait(timeout=20)
                raise SimulatedKill
        return len(email_messages)


@pytest.fixture
def killing(settings, monkeypatch):
    settings.MAILERS = {
        "default": {"BACKEND": f"{__name__}.KillingBackend"},
    }
    Kill.handed_over = []
    # A sender thread dying of the simulated kill is the point, not an error.
    default_hook = threading.excepthook
    monkeypatch.setattr(
        threading,
        "excepthook",
        lambda args: None if args.exc_type is SimulatedKill else default_hook(args),
    )
    return Kill


def kill_every_sender(kill, edition, *, after_delivery):
    senders = delivery.sender_threads()
    kill.armed_after = 7
    kill.after_delivery = after_delivery
    kill.barrier = threading.Barrier(senders)
    try:
        with time_machine.travel(NOW, tick=False):
            delivery.edition_send(edition=edition, batch_size=5)
    except SimulatedKill:  # one sender: it died in this thread
        pass
    kill.barrier = None
    return senders


def sent_edition(**kwargs):
    return EditionFactory(
        status=Edition.Status.SCHEDULED,
        scheduled_for=NOW - timedelta(minutes=1),
        **kwargs,
    )


def check_kill_bound(kill, *, after_delivery):
    subscribers = make_subscribers(40)
    edition = sent_edition()

    senders = kill_every_sender(kill, edition, after_delivery=after_delivery)

    # The documented bound: one row in "sending" per sender of the process.
    assert Delivery.objects.filter(status="sending").count() == senders
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        delivery.edition_send(edition=edition, batch_size=5)
    unknown = Delivery.objects.filter(Delivery.unknown_q())
    assert unknown.count() == senders
    # Nobody twice; only the mails in flight at the kill may be missing.
    assert len(kill.handed_over) == len(set(kill.handed_over))
    missing = {s.email for s in subscribers} - set(kill.handed_over)
    assert len(missing) == (0 if after_delivery else senders)
    assert missing <= set(unknown.values_list("subscriber__email", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize("after_delivery", [True, False])
def test_a_killed_sender_leaves_its_one_mail_in_flight_unknown(killing, after_delivery):
    assert delivery.sender_threads() == 1  # SQLite, or one sender thread
    check_kill_bound(killing, after_delivery=after_delivery)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("after_delivery", [True, False])
def test_a_killed_process_loses_one_mail_per_sender_thread(
    killing, settings, is_postgres, after_delivery
):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (several senders in one process)")
    settings.NEWSLETTER_SENDER_THREADS = 4

    assert delivery.sender_threads() == 4
    check_kill_bound(killing, after_delivery=after_delivery)


# Seeing and resending the unknown ones ---------------------------------------
@pytest.fixture
def outcome(recorder):
    """A sent edition: 3 mails sent, 2 of unknown outcome, 1 refused."""
    readers = make_subscribers(6)
    edition = EditionFactory(
        subject="Offers and interviews",
        status=Edition.Status.SENT,
        started_at=NOW - timedelta(hours=2),
        finished_at=NOW - timedelta(hours=1),
    )
    states = [
        {"status": "sent", "sent_at": NOW - timedelta(hours=2)},
        {"status": "sent", "sent_at": NOW - timedelta(hours=2)},
        {"status": "sent", "sent_at": NOW - timedelta(hours=2)},
        {"status": "failed", "failure": "unknown", "retryable": False},
        {"status": "failed", "failure": "unknown", "retryable": False},
        {"status": "failed", "failure": "refused", "retryable": False},
    ]
    Delivery.objects.bulk_create(
        Delivery(edition=edition, subscriber=reader, attempts=1, **state)
        for reader, state in zip(readers, states, strict=True)
    )
    return edition


def resend_url(edition):
    return f"{EDITIONS}{edition.pk}/resend-unknown/"


def unknown_emails(edition):
    return sorted(
        edition.deliveries.filter(Delivery.unknown_q()).values_list(
            "subscriber__email", flat=True
        )
    )


def shown_on(page) -> str:
    return page.context["shown"]


@pytest.mark.django_db
def test_edition_list_and_form_count_the_unknown_and_link_to_them(
    admin_client, outcome
):
    listing = admin_client.get(EDITIONS)
    form = admin_client.get(f"{EDITIONS}{outcome.pk}/change/")
    link = f"{DELIVERIES}?edition__id__exact={outcome.pk}&amp;failure__exact=unknown"

    assert f'<a href="{link}">2 unknown</a>' in listing.text
    assert "<strong>2 of unknown outcome</strong>" in form.text
    assert link in form.text
    assert resend_url(outcome) in form.text
    who = admin_client.get(link.replace("&amp;", "&"))
    assert who.status_code == 200
    listed = {str(d.subscriber) for d in who.context["cl"].result_list}
    assert listed == set(unknown_emails(outcome))


@pytest.mark.django_db
def test_resend_asks_first_and_says_some_may_have_it(admin_client, outcome, recorder):
    page = admin_client.get(resend_url(outcome))

    assert page.status_code == 200
    assert "Some of them may already have this edition." in page.text
    for email in unknown_emails(outcome):
        assert email in page.text
    assert 'value="Yes, resend to 2 subscribers"' in page.text
    assert recorder.messages == []  # nothing before the editor confirms


@pytest.mark.django_db
def test_confirmed_resend_mails_each_unknown_one_once_through_the_sender(
    admin_client, outcome, recorder, django_capture_on_commit_callbacks
):
    unknown = unknown_emails(outcome)
    page = admin_client.get(resend_url(outcome))

    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = admin_client.post(
            resend_url(outcome), {"deliveries": shown_on(page)}, follow=True
        )
        # A second click, or a second editor with the same page open.
        second = admin_client.post(
            resend_url(outcome), {"deliveries": shown_on(page)}, follow=True
        )

    assert "Resending “Offers and interviews” to 2 subscriber(s)" in first.text
    assert "Nothing was resent" in second.text
    assert sorted(recorder.recipients) == unknown
    assert set(recorder.recipients.values()) == {1}
    outcome.refresh_from_db()
    assert outcome.status == Edition.Status.SENT
    assert unknown_emails(outcome) == []
    resent = outcome.deliveries.filter(subscriber__email__in=unknown)
    assert {(d.status, d.attempts) for d in resent} == {("sent", 2)}


@pytest.mark.django_db
def test_a_page_left_open_does_not_resend_what_failed_again_since(
    admin_client, outcome, recorder, django_capture_on_commit_callbacks
):
    page = admin_client.get(resend_url(outcome))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(resend_url(outcome), {"deliveries": shown_on(page)})
    # Say that resend was itself interrupted: unknown again, after 2 attempts.
    resent = outcome.deliveries.filter(status="sent", attempts=2)
    assert resent.update(status="failed", failure="unknown", retryable=False) == 2

    with django_capture_on_commit_callbacks(execute=True):
        stale = admin_client.post(
            resend_url(outcome), {"deliveries": shown_on(page)}, follow=True
        )

    assert "Nothing was resent" in stale.text
    assert len(recorder.messages) == 2  # the first resend only
    assert len(unknown_emails(outcome)) == 2  # left for a fresh, deliberate one


@pytest.mark.django_db
def test_resend_needs_the_change_permission(client, outcome, recorder):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_edition"))
    client.force_login(viewer)
    shown = ",".join(
        f"{pk}:1"
        for pk in outcome.deliveries.filter(Delivery.unknown_q()).values_list(
            "pk", flat=True
        )
    )

    assert client.get(resend_url(outcome)).status_code == 403
    assert client.post(resend_url(outcome), {"deliveries": shown}).status_code == 403
    assert recorder.messages == []
    assert len(unknown_emails(outcome)) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "posted",
    [
        {},
        {"deliveries": ""},
        {"deliveries": "abc"},
        {"deliveries": "1"},
        {"deliveries": "1:1,"},
        {"deliveries": "\uff11:1"},  # a full-width digit
        {"deliveries": "99999999999999999999:1"},
        {"deliveries": "1:99999"},
        {"deliveries": "1:1\x00"},
    ],
)
def test_a_hostile_resend_post_is_a_400_and_changes_nothing(
    admin_client, outcome, recorder, posted
):
    response = admin_client.post(resend_url(outcome), posted)

    assert response.status_code == 400
    assert recorder.messages == []
    assert len(unknown_emails(outcome)) == 2


@pytest.mark.django_db
def test_resend_of_another_editions_deliveries_is_a_400(
    admin_client, outcome, recorder
):
    other = EditionFactory(status=Edition.Status.SENT, started_at=NOW)
    shown = ",".join(
        f"{pk}:1"
        for pk in outcome.deliveries.filter(Delivery.unknown_q()).values_list(
            "pk", flat=True
        )
    )

    response = admin_client.post(resend_url(other), {"deliveries": shown})

    assert response.status_code == 400
    assert recorder.messages == []


@pytest.mark.django_db
def test_nothing_to_resend_says_so(admin_client, recorder):
    edition = EditionFactory(status=Edition.Status.SENT, started_at=NOW)

    response = admin_client.get(resend_url(edition), follow=True)

    assert "nothing to resend" in response.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_resending_at_once_mail_each_address_once(
    outcome, recorder, is_postgres
):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (concurrent writers)")
    shown = dict(
        outcome.deliveries.filter(Delivery.unknown_q()).values_list("pk", "attempts")
    )
    barrier = threading.Barrier(2)
    reopened = []

    def resend():
        try:
            barrier.wait(timeout=20)
            reopened.append(
                editions.edition_resend_unknown(edition=outcome, shown=shown)
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=resend) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(reopened) == [0, 2]
    assert sorted(recorder.recipients) == unknown_emails_before(shown)
    assert set(recorder.recipients.values()) == {1}


def unknown_emails_before(shown):
    return sorted(
        Delivery.objects.filter(pk__in=shown).values_list(
            "subscriber__email", flat=True
        )
    )
