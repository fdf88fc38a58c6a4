"""Publishing from the article form: buttons, confirmation, review requests."""

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, State
from tests.articles.admin_forms import add_url, article_form, change_url, london
from tests.factories import (
    ArticleFactory,
    DraftArticleFactory,
    ScheduledArticleFactory,
)

pytestmark = pytest.mark.django_db


def publish_url(article, **query):
    url = reverse("admin:articles_article_publish", args=[article.pk])
    return f"{url}?{urlencode(query)}" if query else url


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_of(article, **overrides):
    data = article_form(
        title=article.title,
        slug=article.slug,
        body=article.body,
        tags="",
        author=article.author_id,
    )
    if article.published_at:
        local = timezone.localtime(article.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    data.update(overrides)
    return data


def test_form_opens_with_a_state_line_and_the_editor_buttons(editor_client, now):
    draft = DraftArticleFactory()
    live = ArticleFactory(published_at=datetime(2026, 6, 1, 8, tzinfo=UTC))

    draft_page = editor_client.get(change_url(draft)).text
    live_page = editor_client.get(change_url(live)).text

    assert "Draft: not on the site" in draft_page
    assert 'name="_publish"' in draft_page and 'name="_schedule"' in draft_page
    assert 'name="_submit_review"' not in draft_page
    assert "Live since Monday 1 June 2026, 09:00 BST (Europe/London)" in live_page
    assert f'href="{live.get_absolute_url()}">View the live page' in live_page
    assert 'name="_unpublish"' in live_page and 'name="_publish"' not in live_page


def test_state_field_and_state_line_say_the_same(editor_client, now):
    scheduled = ScheduledArticleFactory(
        published_at=datetime(2026, 6, 20, 8, 30, tzinfo=UTC)
    )

    page = editor_client.get(change_url(scheduled)).text

    line = "Scheduled for Saturday 20 June 2026, 09:30 BST (Europe/London)"
    field = re.search(
        r'class="[^"]*field-state_summary.*?<div class="readonly">(.*?)</div>',
        page,
        re.S,
    )
    assert field[1] == line
    assert page.count(line) == 2  # the form's first line, and the field


def test_publish_now_saves_the_edits_then_asks_before_publishing(editor_client, now):
    draft = DraftArticleFactory(title="Old title")

    response = editor_client.post(
        change_url(draft),
        form_of(
            draft, title="Salary talks", _publish="1", _editor_tz="America/New_York"
        ),
    )

    assert response.status_code == 302
    assert response.url == publish_url(draft, action="publish", tz="America/New_York")
    draft.refresh_from_db()
    assert draft.title == "Salary talks"
    assert draft.state == State.DRAFT  # nothing published before the confirmation

    page = editor_client.get(response.url)
    assert page.status_code == 200
    # Not Django's "changed successfully": the button's work is still to come.
    assert messages_of(page) == [
        "Your changes to “Salary talks” are saved. Nothing changes on the site "
        "until you confirm below."
    ]
    assert (
        "“Salary talks” goes live now, at Monday 15 June 2026, 13:00 BST "
        "(Europe/London), which is Monday 15 June 2026, 08:00 EDT in your time "
        "zone (America/New_York)" in page.text
    )

    done = editor_client.post(
        publish_url(draft), {"action": "publish", "tz": "America/New_York"}
    )

    assert done.url == change_url(draft)
    draft.refresh_from_db()
    assert draft.state == State.PUBLISHED
    assert draft.published_at == now


def test_confirmation_names_only_the_site_zone_when_the_editor_shares_it(
    editor_client, now
):
    draft = DraftArticleFactory()

    page = editor_client.get(publish_url(draft, action="publish", tz="Europe/London"))

    assert "13:00 BST (Europe/London)" in page.text
    assert "your time zone" not in page.text


def test_schedule_confirms_the_date_given_in_the_form(editor_client, now):
    draft = DraftArticleFactory()

    response = editor_client.post(
        change_url(draft),
        form_of(
            draft,
            published_at_0="2026-06-20",
            published_at_1="09:30:00",
            _schedule="1",
        ),
    )
    page = editor_client.get(response.url)

    assert "goes live by itself on Saturday 20 June 2026, 09:30 BST" in page.text
    editor_client.post(publish_url(draft), {"action": "schedule"})
    draft.refresh_from_db()
    assert draft.state == State.SCHEDULED
    assert draft.published_at == london(2026, 6, 20, 9, 30)


def test_schedule_without_a_future_date_says_what_is_missing(editor_client, now):
    draft = DraftArticleFactory()

    response = editor_client.post(change_url(draft), form_of(draft, _schedule="1"))
    back = editor_client.get(response.url)

    assert back.status_code == 302
    assert back.url == change_url(draft)
    assert "give a publish date in the future" in " ".join(messages_of(back))


def test_unpublish_confirms_then_takes_the_article_off_the_site(
    editor_client, client, now
):
    live = ArticleFactory()

    page = editor_client.get(publish_url(live, action="unpublish"))
    assert "is taken off the site now and goes back to draft" in page.text
    editor_client.post(publish_url(live), {"action": "unpublish"})

    live.refresh_from_db()
    assert live.state == State.DRAFT
    assert client.get(live.get_absolute_url()).status_code == 404


def test_an_unknown_time_zone_is_ignored(editor_client, now):
    draft = DraftArticleFactory()

    page = editor_client.get(publish_url(draft, action="publish", tz="Mars/Olympus"))

    assert page.status_code == 200
    assert "your time zone" not in page.text


def test_writers_cannot_reach_the_publish_confirmation(writer_client, writer, now):
    own = DraftArticleFactory(author=writer.author)

    assert writer_client.get(publish_url(own, action="publish")).status_code == 403
    assert (
        writer_client.post(publish_url(own), {"action": "publish"}).status_code == 403
    )
    own.refresh_from_db()
    assert own.state == State.DRAFT


def test_writer_submits_for_review_and_editors_find_it(
    writer_client, writer, editor_client, now
):
    own = DraftArticleFactory(author=writer.author, title="My first piece")
    page = writer_client.get(change_url(own)).text
    assert 'name="_submit_review"' in page
    assert 'name="_publish"' not in page

    response = writer_client.post(
        change_url(own), form_of(own, status="", _submit_review="1")
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.review_requested_at == now
    assert own.state == State.DRAFT
    waiting = editor_client.get(
        reverse("admin:articles_article_changelist") + "?review_request=waiting"
    )
    assert "My first piece" in waiting.text
    assert waiting.context["cl"].result_count == 1
    assert "waiting for review since" in editor_client.get(change_url(own)).text


def test_writer_submits_a_new_article_for_review_from_the_add_form(
    writer_client, writer, now
):
    response = writer_client.post(add_url(), article_form(_submit_review="1"))

    article = Article.objects.get()
    assert response.url == change_url(article)
    assert article.review_requested_at == now
    assert article.author == writer.author


def test_publishing_clears_the_review_request(editor_client, writer, now):
    own = DraftArticleFactory(author=writer.author, review_requested_at=now)

    editor_client.post(publish_url(own), {"action": "publish"})

    own.refresh_from_db()
    assert own.state == State.PUBLISHED
    assert own.review_requested_at is None


def test_scheduled_article_offers_publish_now_and_unpublish(editor_client, now):
    scheduled = ScheduledArticleFactory(published_at=london(2026, 6, 22, 9, 0))

    page = editor_client.get(change_url(scheduled)).text

    assert "Scheduled for Monday 22 June 2026, 09:00 BST (Europe/London)" in page
    assert 'name="_publish"' in page and 'name="_unpublish"' in page


# -- A plain save never changes the state ------------------------------------


def test_the_form_has_no_state_field_only_the_state_line(editor_client, now):
    page = editor_client.get(change_url(DraftArticleFactory()))

    assert "status" not in page.context["adminform"].form.fields
    assert 'name="status"' not in page.text
    assert "Draft: not on the site" in page.text


def test_a_forged_published_status_on_a_plain_save_publishes_nothing(
    editor_client, author, now
):
    draft = DraftArticleFactory(title="Not yet")

    saved = editor_client.post(
        change_url(draft), form_of(draft, title="Still not yet", status="published")
    )
    added = editor_client.post(
        add_url(), article_form(author=author.pk, status="published")
    )

    assert saved.status_code == 302 and added.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Still not yet"
    assert {a.state for a in Article.objects.all()} == {State.DRAFT}
    assert not Article.objects.live().exists()


def test_a_plain_save_does_not_unpublish_either(editor_client, now):
    live = ArticleFactory(published_at=datetime(2026, 6, 1, 8, tzinfo=UTC))

    editor_client.post(change_url(live), form_of(live, title="New", status="draft"))

    live.refresh_from_db()
    assert (live.title, live.state) == ("New", State.PUBLISHED)


def test_a_scheduled_time_changes_only_through_schedule_and_its_confirmation(
    editor_client, now
):
    scheduled = ScheduledArticleFactory(published_at=london(2026, 6, 22, 9, 0))
    new_time = {"published_at_0": "2026-06-16", "published_at_1": "07:00:00"}

    refused = editor_client.post(change_url(scheduled), form_of(scheduled, **new_time))

    assert refused.status_code == 200
    assert "To change when it goes live, give the new date and press " in (refused.text)
    assert 'value="2026-06-16"' in refused.text  # what was typed stays
    scheduled.refresh_from_db()
    assert scheduled.published_at == london(2026, 6, 22, 9, 0)

    asked = editor_client.post(
        change_url(scheduled),
        form_of(scheduled, title="Moved", **new_time, _schedule="1"),
    )
    scheduled.refresh_from_db()
    assert scheduled.title == "Moved"  # the other edits are saved
    assert scheduled.published_at == london(2026, 6, 22, 9, 0)  # not the time yet
    page = editor_client.get(asked.url)
    assert "goes live by itself on Tuesday 16 June 2026, 07:00 BST" in page.text
    assert 'name="at"' in page.text

    editor_client.post(
        publish_url(scheduled),
        {"action": "schedule", "at": london(2026, 6, 16, 7, 0).isoformat()},
    )
    scheduled.refresh_from_db()
    assert scheduled.published_at == london(2026, 6, 16, 7, 0)
    assert scheduled.state == State.SCHEDULED


def test_a_past_time_asked_for_a_scheduled_article_is_refused_on_confirmation(
    editor_client, now
):
    scheduled = ScheduledArticleFactory(published_at=london(2026, 6, 22, 9, 0))

    page = editor_client.get(
        publish_url(
            scheduled,
            action="schedule",
            at=london(2026, 6, 1, 9, 0).isoformat(),
        ),
        follow=True,
    )

    assert "give a publish date in the future" in page.text
    scheduled.refresh_from_db()
    assert scheduled.published_at == london(2026, 6, 22, 9, 0)


def test_a_live_article_takes_a_corrected_past_date_but_no_future_one(
    editor_client, now
):
    live = ArticleFactory(published_at=london(2026, 6, 1, 9, 0))

    future = editor_client.post(
        change_url(live),
        form_of(live, published_at_0="2026-07-01", published_at_1="09:00:00"),
    )
    blank = editor_client.post(
        change_url(live), form_of(live, published_at_0="", published_at_1="")
    )
    assert future.status_code == 200 and blank.status_code == 200
    assert "would take it off the site" in future.text
    live.refresh_from_db()
    assert live.published_at == london(2026, 6, 1, 9, 0)

    corrected = editor_client.post(
        change_url(live),
        form_of(live, published_at_0="2026-05-30", published_at_1="10:00:00"),
    )
    assert corrected.status_code == 302
    live.refresh_from_db()
    assert live.published_at == london(2026, 5, 30, 10, 0)
    assert live.state == State.PUBLISHED


@pytest.mark.parametrize("at", ["tomorrow", "2026-06-20T09:00:00", "9" * 200])
def test_a_forged_time_on_the_confirmation_is_a_400(editor_client, now, at):
    draft = DraftArticleFactory()

    asked = editor_client.get(publish_url(draft, action="schedule", at=at))
    done = editor_client.post(publish_url(draft), {"action": "schedule", "at": at})

    assert asked.status_code == 400 and done.status_code == 400
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_unknown_ids_and_actions_are_not_found(editor_client, now):
    draft = DraftArticleFactory()
    url = reverse("admin:articles_article_publish", args=["999999"])

    assert editor_client.get(url, {"action": "publish"}).status_code == 404
    assert editor_client.post(url, {"action": "publish"}).status_code == 404
    assert editor_client.get(publish_url(draft, action="explode")).status_code == 404
