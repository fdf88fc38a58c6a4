"""The welcome mail after confirming: once per confirmation, what to expect
and when, the editors' words, the latest edition and the preference page;
and the editors' settings page where they write it."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group

from newsletter import subscribers, tokens
from newsletter.models import Edition, NewsletterSettings, Subscriber
from newsletter.tasks import send_confirmation, send_welcome
from newsletter.welcome import subscriber_send_welcome
from tests.factories import (
    NOW,
    EditionFactory,
    EditorFactory,
    SubscriberFactory,
    WriterFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
# NOW is Monday 15 June 2026, 12:00 UTC; the digest goes out on Tuesdays at
# 08:00 London time, sent after the editors' 60 minutes of review.
NEXT_DIGEST = "Tuesday 16 June"


@pytest.fixture
def pending():
    return SubscriberFactory(email="reader@example.com", status="pending")


def confirm_path(subscriber) -> str:
    token = tokens.make_confirmation_token(subscriber, issued_at=NOW)
    return f"/newsletter/confirm/{token}/"


def welcomes(mailoutbox):
    return [mail for mail in mailoutbox if mail.subject == "Welcome to the digest"]


@time_machine.travel(NOW, tick=False)
def test_confirming_sends_one_welcome_saying_what_comes_and_when(
    client, pending, mailoutbox
):
    latest = EditionFactory(
        subject="Salaries, CVs and interviews",
        status=Edition.Status.SENT,
        started_at=NOW - timedelta(days=6),
    )

    response = client.post(confirm_path(pending))

    assert response.status_code == 200
    (mail,) = mailoutbox
    assert mail.to == ["reader@example.com"]
    assert mail.subject == "Welcome to the digest"
    html = mail.alternatives[0][0]
    for body in (mail.body, html):
        assert "Every week we send the best new career advice" in body
        assert "every Tuesday at about 09:00 (Europe/London time)" in body
        assert f"The next one comes on {NEXT_DIGEST}." in body
        assert "A week with nothing new in your topics brings no email." in body
        assert f"{SITE}{latest.get_absolute_url()}" in body
        assert "Salaries, CVs and interviews" in body
        assert f"{SITE}/newsletter/preferences/{pending.token}/" in body
        assert f"{SITE}/newsletter/unsubscribe/{pending.token}/" in body
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert str(mail.extra_headers["List-Unsubscribe"]) == (
        f"<{SITE}/newsletter/unsubscribe/{pending.token}/>"
    )


@time_machine.travel(NOW, tick=False)
def test_without_an_edition_yet_the_welcome_links_no_edition(
    client, pending, mailoutbox
):
    client.post(confirm_path(pending))

    (mail,) = welcomes(mailoutbox)
    assert "latest edition" not in mail.body
    assert "/newsletter/editions/" not in mail.body
    assert f"The next one comes on {NEXT_DIGEST}." in mail.body


@time_machine.travel(NOW, tick=False)
def test_a_double_click_sends_one_welcome(client, pending, mailoutbox):
    client.post(confirm_path(pending))
    client.post(confirm_path(pending))

    assert len(welcomes(mailoutbox)) == 1


@time_machine.travel(NOW, tick=False)
def test_a_retried_task_sends_no_second_welcome(client, pending, mailoutbox):
    client.post(confirm_path(pending))

    result = send_welcome.enqueue(subscriber_id=pending.pk)

    assert result.return_value == "not needed (sent already, or not confirmed)"
    assert len(welcomes(mailoutbox)) == 1


def test_the_queue_holds_one_welcome_and_running_it_twice_mails_once(
    client, pending, db_tasks, mailoutbox
):
    with time_machine.travel(NOW, tick=False):
        client.post(confirm_path(pending))
        client.post(confirm_path(pending))  # a double click
    (task,) = db_tasks.rows(send_welcome)

    db_tasks.run()
    # A worker lost after sending: the same task runs again.
    send_welcome.call(subscriber_id=pending.pk)

    assert len(welcomes(mailoutbox)) == 1
    assert db_tasks.rows(send_confirmation) == []


@time_machine.travel(NOW, tick=False)
def test_unsubscribed_before_the_task_ran_gets_no_welcome(pending, mailoutbox):
    Subscriber.objects.filter(pk=pending.pk).update(
        status="confirmed", confirmed_at=NOW
    )
    subscribers.subscriber_unsubscribe(
        subscriber=pending, method=Subscriber.UnsubscribeMethod.PAGE
    )

    assert subscriber_send_welcome(subscriber=pending) is False
    assert mailoutbox == []


@time_machine.travel(NOW, tick=False)
def test_a_failed_mail_gives_the_welcome_back_for_the_retry(pending, recorder):
    Subscriber.objects.filter(pk=pending.pk).update(
        status="confirmed", confirmed_at=NOW
    )
    recorder.down = True

    with pytest.raises(OSError):
        subscriber_send_welcome(subscriber=pending)
    pending.refresh_from_db()
    assert pending.welcome_sent_for is None

    recorder.down = False
    assert subscriber_send_welcome(subscriber=pending) is True
    assert subscriber_send_welcome(subscriber=pending) is False
    assert [mail.subject for mail in recorder.messages] == ["Welcome to the digest"]


def test_each_new_confirmation_gets_its_own_welcome(client, pending, mailoutbox):
    with time_machine.travel(NOW, tick=False):
        client.post(confirm_path(pending))
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        subscribers.subscriber_unsubscribe(
            subscriber=pending, method=Subscriber.UnsubscribeMethod.PAGE
        )
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        subscribers.subscriber_signup(
            email="reader@example.com", source="/", consent_version="2026-06"
        )
        token = tokens.make_confirmation_token(pending, issued_at=NOW + timedelta(2))
        client.post(f"/newsletter/confirm/{token}/")

    assert len(welcomes(mailoutbox)) == 2


@time_machine.travel(NOW, tick=False)
def test_the_editors_words_go_out_escaped_in_html(client, pending, mailoutbox):
    words = NewsletterSettings.load()
    words.welcome_subject = "Hello <there>\nBcc: x@example.com"
    words.welcome_text = "First <b>paragraph</b>.\n\nSecond & last."
    words.save()

    client.post(confirm_path(pending))

    (mail,) = mailoutbox
    assert mail.subject == "Hello <there> Bcc: x@example.com"
    html = mail.alternatives[0][0]
    assert "<p>First &lt;b&gt;paragraph&lt;/b&gt;.</p>" in html
    assert "<p>Second &amp; last.</p>" in html
    assert "First <b>paragraph</b>." in mail.body


# The settings page in the admin -------------------------------------------------
SETTINGS_LIST = "/admin/newsletter/newslettersettings/"


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def test_the_settings_list_opens_the_one_row(editor_client):
    response = editor_client.get(SETTINGS_LIST)

    row = NewsletterSettings.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{SETTINGS_LIST}{row.pk}/change/"


def test_an_editor_changes_the_welcome_and_the_next_mail_says_it(
    editor_client, pending, mailoutbox
):
    row = NewsletterSettings.load()
    response = editor_client.post(
        f"{SETTINGS_LIST}{row.pk}/change/",
        {
            "welcome_subject": "You're in",
            "welcome_text": "Thanks for joining us.",
            "reader_count_threshold": "500",
        },
    )

    assert response.status_code == 302
    with time_machine.travel(NOW, tick=False):
        editor_client.post(confirm_path(pending))
    (mail,) = mailoutbox
    assert mail.subject == "You're in"
    assert "Thanks for joining us." in mail.body


def test_nobody_adds_or_deletes_the_settings(editor_client):
    row = NewsletterSettings.load()

    assert editor_client.get(f"{SETTINGS_LIST}add/").status_code == 403
    assert editor_client.post(f"{SETTINGS_LIST}{row.pk}/delete/").status_code == 403
    assert NewsletterSettings.objects.count() == 1


def test_a_writer_cannot_see_or_change_the_settings(client):
    client.force_login(WriterFactory())
    row = NewsletterSettings.load()

    assert client.get(SETTINGS_LIST).status_code == 403
    response = client.post(
        f"{SETTINGS_LIST}{row.pk}/change/",
        {"welcome_subject": "Hacked", "welcome_text": "x", "reader_count_threshold": 1},
    )
    assert response.status_code == 403
    assert NewsletterSettings.load().welcome_subject == "Welcome to the digest"


def test_the_editors_group_holds_the_settings_permissions():
    editors = Group.objects.get(name="Editors")
    writers = Group.objects.get(name="Writers")

    granted = set(
        editors.permissions.filter(
            content_type__model="newslettersettings"
        ).values_list("codename", flat=True)
    )
    assert {"view_newslettersettings", "change_newslettersettings"} <= granted
    assert not writers.permissions.filter(
        content_type__model="newslettersettings"
    ).exists()


@pytest.mark.parametrize("bad", ["", " " * 3, "x" * 151])
def test_a_blank_or_long_subject_is_refused_with_a_message(editor_client, bad):
    row = NewsletterSettings.load()

    response = editor_client.post(
        f"{SETTINGS_LIST}{row.pk}/change/",
        {"welcome_subject": bad, "welcome_text": "x", "reader_count_threshold": 1},
    )

    assert response.status_code == 200  # the form again, with its errors
    assert "errorlist" in response.text
    assert NewsletterSettings.load().welcome_subject == "Welcome to the digest"
