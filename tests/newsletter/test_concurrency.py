"""Concurrent sign-ups and senders, on PostgreSQL (SQLite runs one writer)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client

from newsletter import delivery
from newsletter.models import Delivery, Edition, Subscriber
from tests.factories import ArticleFactory, EditionFactory, make_subscribers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (concurrent writers)")


def _commit_without_waiting_for_disk(connection, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")


@pytest.fixture(autouse=True)
def _fast_commits(_needs_postgres):
    """Commits that don't wait for the disk (the sender commits per mail).

    Locking, visibility and atomicity are unchanged; only durability after a
    server crash differs, which these tests do not exercise.
    """
    connection_created.connect(_commit_without_waiting_for_disk)
    _commit_without_waiting_for_disk(connection)
    yield
    connection_created.disconnect(_commit_without_waiting_for_disk)


def run_together(count, work):
    """Run work(i) in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_50_concurrent_sign_ups_of_one_address_give_one_row_and_no_error(
    mailoutbox,
):
    def sign_up(index):
        email = "Reader@Example.com" if index % 2 else "reader@example.COM"
        return Client(REMOTE_ADDR=f"192.0.2.{index}").post(
            "/newsletter/", {"email": email}
        )

    responses = run_together(50, sign_up)

    assert {response.status_code for response in responses} == {200}
    # One answer for each spelling typed (the page repeats it).
    assert len({response.content for response in responses[0::2]}) == 1
    assert len({response.content for response in responses[1::2]}) == 1
    assert Subscriber.objects.count() == 1
    assert Subscriber.objects.get().status == "pending"
    assert len(mailoutbox) == 1  # the throttle holds under concurrency too


def test_two_senders_started_together_send_2000_mails_one_each(recorder, settings, now):
    article = ArticleFactory()
    edition = EditionFactory(
        status=Edition.Status.SCHEDULED,
        scheduled_for=now - timedelta(minutes=1),
        articles=[article],
    )
    make_subscribers(2000)

    reports = run_together(
        2, lambda _: delivery.edition_send(edition=edition, batch_size=200)
    )

    counts = recorder.recipients
    assert len(recorder.messages) == 2000
    assert len(counts) == 2000
    assert set(counts.values()) == {1}
    assert sum(report.sent for report in reports) == 2000
    assert all(report.sent > 0 for report in reports)  # both really worked
    assert Delivery.objects.filter(status="sent").count() == 2000
    tokens = dict(Subscriber.objects.values_list("email", "token"))
    for message in recorder.messages:  # all four unsubscribe elements, every mail
        url = (
            f"https://careerhub.example/newsletter/unsubscribe/{tokens[message.to[0]]}/"
        )
        assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
        assert message.extra_headers["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )
        assert url in message.body and url in message.alternatives[0].content
        assert settings.NEWSLETTER_POSTAL_ADDRESS in message.body
    edition.refresh_from_db()
    assert edition.status == "sent"


def test_two_workers_with_four_sender_threads_each_send_every_mail_once(recorder, now):
    edition = EditionFactory(
        status=Edition.Status.SCHEDULED,
        scheduled_for=now - timedelta(minutes=1),
        articles=[ArticleFactory()],
    )
    make_subscribers(3000)

    reports = run_together(
        2,
        lambda _: delivery.edition_send(edition=edition, batch_size=50, threads=4),
    )

    counts = recorder.recipients
    assert len(counts) == 3000
    assert set(counts.values()) == {1}
    assert sum(report.sent for report in reports) == 3000
    assert Delivery.objects.filter(status="sent").count() == 3000
    edition.refresh_from_db()
    assert edition.status == "sent"
