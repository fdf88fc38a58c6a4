import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django_tasks_db.models import DBTaskResult

from newsletter.models import Edition, Subscriber
from newsletter.tasks import send_edition
from tests.factories import (
    NOW,
    ArticleFactory,
    EditionFactory,
    SubscriberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUBSCRIBERS = "/admin/newsletter/subscriber/"
EDITIONS = "/admin/newsletter/edition/"


def action(client, url, name, objects):
    return client.post(
        url,
        {"action": name, "_selected_action": [obj.pk for obj in objects]},
    )


# Who may see subscribers --------------------------------------------------------
def test_staff_without_newsletter_permissions_gets_403(client):
    writer = UserFactory(is_staff=True)
    writer.user_permissions.add(Permission.objects.get(codename="change_article"))
    client.force_login(writer)

    assert client.get(SUBSCRIBERS).status_code == 403
    assert client.get(EDITIONS).status_code == 403
    assert "Newsletter" not in client.get("/admin/").text


def test_staff_with_view_permission_sees_the_list(client):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_subscriber"))
    client.force_login(editor)
    SubscriberFactory(email="reader@example.com")

    response = client.get(SUBSCRIBERS)

    assert response.status_code == 200
    assert "reader@example.com" in response.text


# The subscriber list ------------------------------------------------------------
def test_list_shows_counts_per_status_and_filters(admin_client):
    SubscriberFactory.create_batch(3, status="confirmed")
    SubscriberFactory.create_batch(2, status="pending")
    SubscriberFactory(status="unsubscribed", email="gone@example.com")

    response = admin_client.get(SUBSCRIBERS)
    filtered = admin_client.get(SUBSCRIBERS, {"status__exact": "unsubscribed"})

    assert "6 subscribers in all" in response.text
    assert "Pending confirmation <strong>2</strong>" in response.text
    assert "Confirmed <strong>3</strong>" in response.text
    assert "Unsubscribed <strong>1</strong>" in response.text
    assert list(filtered.context["cl"].result_list) == [
        Subscriber.objects.get(email="gone@example.com")
    ]


def test_search_finds_an_address(admin_client):
    SubscriberFactory(email="needle@example.com")
    SubscriberFactory(email="hay@example.com")

    response = admin_client.get(SUBSCRIBERS, {"q": "needle"})

    assert [s.email for s in response.context["cl"].result_list] == [
        "needle@example.com"
    ]


def test_consent_record_cannot_be_edited_or_added_by_hand(admin_client):
    subscriber = SubscriberFactory(status="pending")

    admin_client.post(
        f"{SUBSCRIBERS}{subscriber.pk}/change/",
        {"status": "confirmed", "email": "other@example.com"},
    )

    subscriber.refresh_from_db()
    assert subscriber.status == "pending"
    assert admin_client.get(f"{SUBSCRIBERS}add/").status_code == 403


def test_csv_export_has_the_consent_record_and_defuses_formulas(admin_client):
    plain = SubscriberFactory(email="reader@example.com")
    risky = SubscriberFactory(email="=cmd@example.com")

    response = action(admin_client, SUBSCRIBERS, "export_csv", [plain, risky])

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["email", "status", "signed_up_at"]
    assert rows[1][0] == "reader@example.com"
    assert rows[1][1] == "confirmed"
    assert rows[1][4] == "2026-06"
    assert rows[2][0] == "'=cmd@example.com"


def test_resend_confirmation_ignores_the_throttle_for_pending_only(
    admin_client, mailoutbox
):
    pending = SubscriberFactory(status="pending", last_confirmation_sent_at=NOW)
    confirmed = SubscriberFactory(status="confirmed")

    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        action(admin_client, SUBSCRIBERS, "resend_confirmation", [pending, confirmed])

    assert [mail.to for mail in mailoutbox] == [[pending.email]]


def test_unsubscribe_action_records_the_editor_as_method(admin_client):
    subscriber = SubscriberFactory()

    action(admin_client, SUBSCRIBERS, "unsubscribe", [subscriber])

    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    assert subscriber.unsubscribe_method == "admin"


# Editions ---------------------------------------------------------------------
@pytest.fixture
def edition():
    return EditionFactory(
        subject="Weekly: interviews",
        articles=[
            ArticleFactory(title="First piece"),
            ArticleFactory(title="Second piece"),
            ArticleFactory(title="Third piece"),
        ],
    )


def inline_data(edition, positions, delete=()):
    entries = list(edition.edition_articles.order_by("pk"))
    data = {
        "edition_articles-TOTAL_FORMS": str(len(entries)),
        "edition_articles-INITIAL_FORMS": str(len(entries)),
        "edition_articles-MIN_NUM_FORMS": "0",
        "edition_articles-MAX_NUM_FORMS": "1000",
    }
    for index, (entry, position) in enumerate(zip(entries, positions, strict=True)):
        prefix = f"edition_articles-{index}"
        data |= {
            f"{prefix}-id": str(entry.pk),
            f"{prefix}-edition": str(edition.pk),
            f"{prefix}-position": str(position),
            f"{prefix}-article": str(entry.article_id),
        }
        if index in delete:
            data[f"{prefix}-DELETE"] = "on"
    return data


def test_editor_edits_subject_and_intro_reorders_and_drops_articles(
    admin_client, edition
):
    response = admin_client.post(
        f"{EDITIONS}{edition.pk}/change/",
        {
            "subject": "Weekly: better interviews",
            "intro": "A new intro.",
            "scheduled_for_0": "",
            "scheduled_for_1": "",
            **inline_data(edition, positions=[3, 1, 2], delete=[2]),
        },
    )

    assert response.status_code == 302, response.context["errors"]
    edition.refresh_from_db()
    assert edition.subject == "Weekly: better interviews"
    assert edition.intro == "A new intro."
    assert edition.status == "draft"
    titles = [entry.article.title for entry in edition.live_articles()]
    assert titles == ["Second piece", "First piece"]


def test_setting_a_time_schedules_the_edition(admin_client, edition, db_tasks):
    with time_machine.travel(NOW, tick=False):
        admin_client.post(
            f"{EDITIONS}{edition.pk}/change/",
            {
                "subject": edition.subject,
                "intro": "",
                "scheduled_for_0": "2026-06-16",
                "scheduled_for_1": "08:00:00",
                **inline_data(edition, positions=[1, 2, 3]),
            },
        )

    edition.refresh_from_db()
    assert edition.status == "scheduled"
    assert edition.scheduled_for.isoformat() == "2026-06-16T07:00:00+00:00"
    # The worker sends it at that time (enqueued, not run).
    (task,) = db_tasks.rows(send_edition)
    assert (task.status, task.run_after) == ("READY", edition.scheduled_for)
    assert task.args_kwargs["kwargs"] == {"edition_id": edition.pk}


def test_edition_that_is_sending_cannot_be_changed(admin_client, edition):
    Edition.objects.filter(pk=edition.pk).update(status="sending")

    page = admin_client.get(f"{EDITIONS}{edition.pk}/change/")
    admin_client.post(
        f"{EDITIONS}{edition.pk}/change/",
        {"subject": "Changed", **inline_data(edition, positions=[9, 9, 9])},
    )

    assert 'name="subject"' not in page.text
    edition.refresh_from_db()
    assert edition.subject == "Weekly: interviews"
    assert {entry.position for entry in edition.edition_articles.all()} == {1, 2, 3}


def test_preview_renders_the_mail_in_the_browser(admin_client, edition):
    change_page = admin_client.get(f"{EDITIONS}{edition.pk}/change/")
    response = admin_client.get(f"{EDITIONS}{edition.pk}/preview/")

    assert f"{EDITIONS}{edition.pk}/preview/" in change_page.text
    assert response.status_code == 200
    assert "First piece" in response.text
    assert "Unsubscribe" in response.text
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy


def test_send_test_to_myself(admin_client, admin_user, edition, mailoutbox):
    response = admin_client.post(f"{EDITIONS}{edition.pk}/send-test/")

    assert response.status_code == 302
    (mail,) = mailoutbox
    assert mail.to == [admin_user.email]
    assert mail.subject == "[Test] Weekly: interviews"
    edition.refresh_from_db()
    assert edition.status == "draft"


def test_send_now_enqueues_sending_for_the_worker(
    admin_client, edition, db_tasks, mailoutbox
):
    SubscriberFactory(status="confirmed", email="reader@example.com")
    with time_machine.travel(NOW, tick=False):
        response = admin_client.post(f"{EDITIONS}{edition.pk}/send-now/", follow=True)

    edition.refresh_from_db()
    assert (edition.status, edition.scheduled_for) == ("scheduled", NOW)
    assert "queued for sending" in response.text
    # Enqueued to run at once, not run in the request.
    (task,) = db_tasks.rows(send_edition)
    with time_machine.travel(NOW, tick=False):
        assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()
    assert mailoutbox == []

    db_tasks.run()

    edition.refresh_from_db()
    assert edition.status == "sent"
    assert [mail.to for mail in mailoutbox] == [["reader@example.com"]]


def test_send_now_action_leads_to_the_confirmation(admin_client, db_tasks):
    draft = EditionFactory()

    response = action(admin_client, EDITIONS, "send_now", [draft])

    assert response.status_code == 302
    assert response["Location"] == f"{EDITIONS}{draft.pk}/send-now/"
    assert db_tasks.rows() == []  # nothing sent before the confirmation


def test_send_now_action_takes_one_edition_at_a_time(admin_client, db_tasks):
    drafts = EditionFactory.create_batch(2)

    response = action(admin_client, EDITIONS, "send_now", drafts)

    assert response.status_code == 302
    page = admin_client.get(EDITIONS)
    assert "Choose one edition to send" in page.text
    assert db_tasks.rows() == []
    assert {e.status for e in Edition.objects.all()} == {"draft"}


def test_edition_list_shows_delivery_counts(admin_client):
    edition = EditionFactory(status="sent")
    subscribers = SubscriberFactory.create_batch(4)
    for subscriber, status in zip(
        subscribers, ["sent", "sent", "failed", "skipped"], strict=True
    ):
        edition.deliveries.create(subscriber=subscriber, status=status)

    response = admin_client.get(EDITIONS)

    (row,) = response.context["cl"].result_list
    assert (row.recipient_count, row.sent_count, row.failed_count) == (4, 2, 1)
    assert row.skipped_count == 1
    detail = admin_client.get(f"{EDITIONS}{edition.pk}/change/")
    assert "4 recipients = 2 sent + 1 failed + 1 skipped" in detail.text
