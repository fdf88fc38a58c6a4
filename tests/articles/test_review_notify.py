"""Review that notifies: a writer's submission mails the editors, an editor
sends a draft back with a note (seen on the article, mailed to the writer),
the writer is told when it is published; every step is mailed once."""

import email
import re
from email import policy as email_policy

import pytest
from django.urls import reverse

from articles.models import ReviewStep
from desk import reviews, versions
from desk.tasks import send_review_mail
from tests.articles.admin_forms import change_url
from tests.articles.test_publishing import form_of, publish_url
from tests.factories import DraftArticleFactory, EditorFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def draft(writer):
    return DraftArticleFactory(author=writer.author, title="Ask for the salary range")


def send_back_url(article):
    return reverse("admin:articles_article_send_back", args=[article.pk])


def submit(client, article):
    return client.post(change_url(article), form_of(article, _submit_review="1"))


def raw(message) -> email.message.Message:
    return email.message_from_bytes(
        message.message().as_bytes(), policy=email_policy.compat32
    )


def test_submitting_mails_every_editor_with_an_address_a_link_to_the_article(
    writer_client, draft, editor, mailoutbox, now
):
    EditorFactory(username="no_address", email="")
    UserFactory(username="reader_only", email="reader@example.com")

    response = submit(writer_client, draft)

    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.to == ["edna@example.com"]
    assert mail.subject == "Ready for review: “Ask for the salary range”"
    assert f"{SITE}/admin/articles/article/{draft.pk}/change/" in mail.body
    assert "wanda has submitted a draft for review" in mail.body
    assert "Ask for the salary range" in mail.body
    assert mail.reply_to == ["wanda@example.com"]
    headers = raw(mail)
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].endswith("@careerhub.example>")
    assert headers["Date"]
    assert headers.get_content_type() == "text/plain"  # plain text only


def test_a_double_click_on_submit_sends_one_mail(
    writer_client, draft, editor, mailoutbox
):
    submit(writer_client, draft)
    submit(writer_client, draft)

    assert len(mailoutbox) == 1
    assert draft.review_steps.count() == 1


def test_the_editor_sends_back_with_a_note_the_writer_reads_on_the_article(
    writer_client, editor_client, draft, mailoutbox, now
):
    submit(writer_client, draft)
    page = editor_client.get(change_url(draft)).text
    assert send_back_url(draft) in page

    response = editor_client.post(
        send_back_url(draft), {"note": "Add a source for the salary figures."}
    )

    assert response.status_code == 302
    assert len(mailoutbox) == 2
    mail = mailoutbox[1]
    assert mail.to == ["wanda@example.com"]
    assert mail.subject == "Sent back with a note: “Ask for the salary range”"
    assert "Add a source for the salary figures." in mail.body
    assert mail.reply_to == ["edna@example.com"]
    writer_page = writer_client.get(change_url(draft)).text
    assert "Sent back by edna" in writer_page
    assert "Add a source for the salary figures." in writer_page
    assert 'name="_submit_review"' in writer_page  # may resubmit


def test_a_second_send_back_sends_nothing_more(
    writer_client, editor_client, draft, mailoutbox
):
    submit(writer_client, draft)
    editor_client.post(send_back_url(draft), {"note": "Shorter, please."})
    again = editor_client.post(send_back_url(draft), {"note": "Shorter, please."})

    assert again.status_code == 302
    assert len(mailoutbox) == 2
    assert draft.review_steps.filter(kind="sent_back").count() == 1


def test_a_send_back_without_a_note_is_refused_and_nothing_changes(
    writer_client, editor_client, draft, mailoutbox
):
    submit(writer_client, draft)

    response = editor_client.post(send_back_url(draft), {"note": "   "})

    assert response.status_code == 200
    assert "Write a note" in response.text
    draft.refresh_from_db()
    assert draft.review_requested_at is not None
    assert len(mailoutbox) == 1


def test_a_writer_cannot_send_back(writer_client, draft):
    submit(writer_client, draft)

    assert writer_client.get(send_back_url(draft)).status_code == 403
    assert writer_client.post(send_back_url(draft), {"note": "x"}).status_code == 403


def test_the_note_is_kept_with_the_version_it_was_about(
    writer_client, editor_client, draft
):
    submit(writer_client, draft)
    editor_client.post(send_back_url(draft), {"note": "Cut the second paragraph."})

    step = draft.review_steps.get(kind="sent_back")
    assert step.revision == versions.versions_of(draft).first().revision
    page = editor_client.get(
        reverse("admin:articles_article_versions", args=[draft.pk])
    ).text
    assert "Cut the second paragraph." in page


def test_publishing_a_reviewed_draft_tells_the_writer_once(
    writer_client, editor_client, draft, mailoutbox, now
):
    submit(writer_client, draft)

    editor_client.post(publish_url(draft), {"action": "publish"})
    editor_client.post(publish_url(draft), {"action": "publish"})  # double click

    assert len(mailoutbox) == 2
    mail = mailoutbox[1]
    assert mail.to == ["wanda@example.com"]
    assert mail.subject == "Published: “Ask for the salary range”"
    assert f"{SITE}{draft.get_absolute_url()}" in mail.body


def test_publishing_a_draft_nobody_submitted_mails_nobody(
    editor_client, draft, mailoutbox
):
    editor_client.post(publish_url(draft), {"action": "publish"})

    assert mailoutbox == []


def test_a_retried_task_sends_no_second_mail(writer_client, draft, editor, mailoutbox):
    submit(writer_client, draft)
    step = draft.review_steps.get()

    result = send_review_mail.call(step_id=step.pk)

    assert result == "mailed already (or the step is gone)"
    assert len(mailoutbox) == 1


def test_a_failed_send_leaves_the_step_to_the_retry_which_sends_it_once(
    writer, draft, editor, mailoutbox, monkeypatch
):
    step = ReviewStep.objects.create(article=draft, kind="submitted", by=writer)

    def broken(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", broken)
        with pytest.raises(ConnectionRefusedError):
            reviews.review_step_mail(step_id=step.pk)
    step.refresh_from_db()
    assert step.mailed_at is None  # the claim rolled back with the failure

    reviews.review_step_mail(step_id=step.pk)
    reviews.review_step_mail(step_id=step.pk)

    assert len(mailoutbox) == 1
    step.refresh_from_db()
    assert step.mailed_at is not None


def test_a_writer_without_an_address_gets_no_mail_and_the_editor_is_told(
    writer_client, editor_client, writer, draft, mailoutbox
):
    submit(writer_client, draft)
    writer.email = ""
    writer.save()

    page = editor_client.get(send_back_url(draft)).text
    assert "Their login has no email address" in page
    response = editor_client.post(
        send_back_url(draft), {"note": "Tighten it."}, follow=True
    )

    assert "they see your note only on the article" in response.text
    assert len(mailoutbox) == 1  # the editors' mail only
    assert draft.review_steps.get(kind="sent_back").mail_outcome == (
        "no mail: the writer's login has no email address"
    )


def test_submitting_says_when_no_editor_has_an_address(writer_client, draft):
    EditorFactory(username="quiet", email="")

    response = submit(writer_client, draft)

    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("No editor has an email address" in m for m in messages)


def test_the_note_is_shown_as_text_not_markup(writer_client, editor_client, draft):
    submit(writer_client, draft)
    editor_client.post(send_back_url(draft), {"note": "<script>x()</script>"})

    page = writer_client.get(change_url(draft)).text
    assert "<script>x()</script>" not in page
    assert re.search(r"&lt;script&gt;x\(\)&lt;/script&gt;", page)
