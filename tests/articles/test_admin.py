"""The article and author admin as an editor uses it: form, checks, list, actions."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from taggit.models import Tag

from articles import read_more
from articles.models import Article, State
from tests.articles.admin_forms import (
    add_url,
    article_form,
    change_url,
    changelist_url,
    london,
)
from tests.factories import ArticleFactory, AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response) -> str:
    return " ".join(
        str(error)
        for errors in response.context["adminform"].form.errors.values()
        for error in errors
    )


# -- The article form -------------------------------------------------------


def test_add_form_is_ordered_the_way_an_editor_works(editor_client):
    html = editor_client.get(add_url()).text

    order = [
        'id="id_title"',
        'id="id_body"',
        'id="id_excerpt"',
        'id="id_tags"',
        'id="id_cover_image"',
        'id="id_author"',
        'id="id_published_at_0"',
        'id="id_meta_description"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_body_has_markdown_help_beside_it_with_a_link_to_the_full_help(
    editor_client,
):
    response = editor_client.get(add_url())
    help_url = reverse("admin:articles_article_markdown_help")

    body_help = str(response.context["adminform"].form["body"].help_text)
    assert "## Heading" in body_help
    assert "[[read-more:" in body_help
    assert help_url in body_help
    help_page = editor_client.get(help_url)
    assert help_page.status_code == 200
    assert "Read more" in help_page.text
    assert "[[read-more:writing-a-cover-letter]]" in help_page.text


def test_slug_is_prefilled_from_the_title(editor_client):
    response = editor_client.get(add_url())

    prepopulated = response.context["adminform"].prepopulated_fields
    assert [
        (entry["field"].name, [dep.name for dep in entry["dependencies"]])
        for entry in prepopulated
    ] == [("slug", ["title"])]
    assert "id_slug" in response.text and "prepopulate" in response.text


def test_author_and_related_pickers_search_instead_of_listing_every_row(
    editor_client,
):
    ArticleFactory.create_batch(30)
    ArticleFactory(title="Salary talks for beginners")

    html = editor_client.get(add_url()).text
    related_select = html[html.index('id="id_related"') :]
    related_select = related_select[: related_select.index("</select>")]
    author_select = html[html.index('id="id_author"') :]
    author_select = author_select[: author_select.index("</select>")]

    # Autocomplete widgets render no option per row; the browser asks for them.
    assert "admin-autocomplete" in html
    assert "<option value=" not in related_select
    assert author_select.count("<option") <= 1
    found = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "related",
            "term": "salary",
        },
    ).json()
    assert [item["text"] for item in found["results"]] == ["Salary talks for beginners"]


def test_topic_box_suggests_existing_topics_as_one_types(editor_client):
    ArticleFactory(topics=["Interviews", "Internships", "Salary"])

    html = editor_client.get(add_url()).text
    url = reverse("admin:articles_article_topics")
    assert f'data-topic-suggestions="{url}"' in html
    assert 'list="id_tags_suggestions"' in html
    assert '<datalist id="id_tags_suggestions">' in html
    assert "js/admin-topics.js" in html
    assert editor_client.get(url, {"q": "inte"}).json() == {
        "results": ["Internships", "Interviews"]
    }
    assert editor_client.get(url, {"q": ""}).json() == {"results": []}


def test_topic_suggestions_need_an_admin_login(client):
    response = client.get(reverse("admin:articles_article_topics"), {"q": "in"})
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_topics_are_split_on_commas_and_reuse_existing_names(editor_client, author):
    Tag.objects.create(name="Interviews", slug="interviews")

    editor_client.post(
        add_url(),
        article_form(
            author=author.pk,
            tags="career change, interviews, Interviews",
            create_topics="on",
        ),
    )

    article = Article.objects.get()
    assert sorted(tag.name for tag in article.tags.all()) == [
        "Interviews",
        "career change",
    ]
    assert Tag.objects.filter(name__iexact="interviews").count() == 1


def test_editor_writes_and_saves_a_draft(editor_client, author):
    Tag.objects.create(name="Salary", slug="salary")
    Tag.objects.create(name="Interviews", slug="interviews")

    response = editor_client.post(
        add_url(), article_form(author=author.pk, tags="Salary, Interviews")
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.state == State.DRAFT
    assert article.author == author
    assert sorted(article.tags.names()) == ["Interviews", "Salary"]
    assert "<h2>Know your number</h2>" in article.body_html


# -- Checks with clear messages -------------------------------------------


def test_read_more_to_a_missing_article_is_refused_naming_it(editor_client, author):
    ArticleFactory(slug="negotiating-an-offer")
    body = (
        "Intro.\n\n[[read-more:negotiating-an-offer]]\n\n"
        "[[read-more:no-such-article]]\n\n[[read-more:987654]]\n"
    )

    response = editor_client.post(add_url(), article_form(author=author.pk, body=body))

    assert response.status_code == 200
    errors = form_errors(response)
    assert "“no-such-article”" in errors
    assert "“987654”" in errors
    assert "negotiating-an-offer" not in errors
    assert not Article.objects.filter(author=author).exists()
    # Nothing the editor typed is lost.
    assert "[[read-more:no-such-article]]" in response.text


def test_read_more_by_slug_keeps_the_slug_and_links_the_current_title(
    editor_client, author
):
    target = ArticleFactory(slug="negotiating-an-offer", title="Negotiating")

    editor_client.post(
        add_url(),
        article_form(
            author=author.pk,
            body="Intro.\n\n[[read-more:negotiating-an-offer]]\n",
        ),
    )
    article = Article.objects.get(author=author)
    editor_client.post(
        reverse("admin:articles_article_publish", args=[article.pk]),
        {"action": "publish"},
    )

    # The editor's text as typed; the id beside it survives renames.
    assert article.body == "Intro.\n\n[[read-more:negotiating-an-offer]]"
    assert article.read_more_refs == {"negotiating-an-offer": target.pk}
    page = editor_client.get(article.get_absolute_url())
    assert f'<a href="{target.get_absolute_url()}">Negotiating</a>' in page.text


def test_read_more_lines_are_found_in_text_sent_with_crlf_line_endings(
    editor_client, author
):
    """Browsers post textarea text with CRLF; references must still be seen."""
    target = ArticleFactory(slug="negotiating-an-offer")
    body = "Intro.\r\n\r\n[[read-more:negotiating-an-offer]]\r\n\r\nMore.\r\n"

    refused = editor_client.post(
        add_url(),
        article_form(author=author.pk, body=body.replace("negotiating", "haggling")),
    )
    editor_client.post(add_url(), article_form(author=author.pk, body=body))

    assert "“haggling-an-offer”" in form_errors(refused)
    article = Article.objects.get(author=author)
    assert article.body == "Intro.\n\n[[read-more:negotiating-an-offer]]\n\nMore."
    assert article.read_more_refs == {"negotiating-an-offer": target.pk}
    assert "read-more:" not in read_more.body_for_page(article)
    assert target.get_absolute_url() in read_more.body_for_page(article)


def test_read_more_to_an_unpublished_article_is_saved_with_a_warning(
    editor_client, author
):
    draft = ArticleFactory(
        title="Draft on pay", status=Article.Status.DRAFT, published_at=None
    )
    live = ArticleFactory(title="Live on CVs")

    response = editor_client.post(
        add_url(),
        article_form(
            author=author.pk,
            body=f"Intro.\n\n[[read-more:{draft.slug}]]\n\n[[read-more:{live.pk}]]\n",
        ),
        follow=True,
    )

    assert Article.objects.filter(author=author).exists()
    warnings = [text for text in messages_of(response) if "Read more" in text]
    assert len(warnings) == 1
    assert "“Draft on pay”" in warnings[0]
    assert "is a draft" in warnings[0]


def test_edit_page_names_each_read_more_target_and_its_state(editor_client):
    draft = ArticleFactory(
        title="Draft on pay", status=Article.Status.DRAFT, published_at=None
    )
    live = ArticleFactory(title="Live on CVs")
    article = ArticleFactory(
        body=f"Intro.\n\n[[read-more:{live.pk}]]\n\n[[read-more:{draft.pk}]]\n"
    )

    html = editor_client.get(change_url(article)).text

    assert (
        f"<li><code>[[read-more:{live.pk}]]</code> → Live on CVs "
        '<span class="state state--published">Published</span></li>'
    ) in html
    assert (
        f"<li><code>[[read-more:{draft.pk}]]</code> → Draft on pay "
        '<span class="state state--draft">Draft</span></li>'
    ) in html


def test_a_date_is_entered_in_the_site_time_zone_and_saving_keeps_a_draft(
    editor_client, author, now
):
    response = editor_client.post(
        add_url(),
        article_form(
            author=author.pk, published_at_0="2026-06-20", published_at_1="09:00"
        ),
        follow=True,
    )

    article = Article.objects.get()
    # 09:00 in London in June is 08:00 UTC.
    assert article.published_at == london(2026, 6, 20, 9, 0)
    assert article.published_at == datetime(2026, 6, 20, 8, 0, tzinfo=UTC)
    # Only "Schedule…" and its confirmation schedule it.
    assert article.state == State.DRAFT
    assert '<span class="state state--draft">Draft</span>' in response.text


def test_form_names_the_site_time_zone_and_shows_times_in_it(editor_client, now):
    article = ArticleFactory(published_at=datetime(2026, 6, 1, 8, 30, tzinfo=UTC))

    response = editor_client.get(change_url(article))

    assert "Europe/London" in response.text
    # 08:30 UTC is shown as 09:30, London summer time.
    assert 'name="published_at_1" value="09:30:00"' in response.text


def test_resaving_a_live_article_keeps_its_publish_date(editor_client, now):
    published = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    article = ArticleFactory(published_at=published, slug="kept-date")

    editor_client.post(
        change_url(article),
        article_form(
            title="A better title",
            slug="kept-date",
            author=article.author.pk,
            published_at_0="2026-05-01",
            published_at_1="09:00",
        ),
    )

    article.refresh_from_db()
    assert article.title == "A better title"
    assert article.published_at == published


def test_a_cover_image_needs_a_description(editor_client, author):
    from tests.articles.image_files import image_bytes, upload

    response = editor_client.post(
        add_url(),
        {
            **article_form(author=author.pk),
            "cover_image": upload("cover.jpg", image_bytes()),
        },
    )

    assert response.status_code == 200
    assert "Describe the cover image" in form_errors(response)
    assert not Article.objects.exists()


# -- The article list ------------------------------------------------------


@pytest.fixture
def three_states(now):
    draft = ArticleFactory(
        title="A draft", status=Article.Status.DRAFT, published_at=None
    )
    scheduled = ArticleFactory(
        title="A scheduled one", published_at=now + timedelta(days=2)
    )
    live = ArticleFactory(
        title="A live one",
        published_at=now - timedelta(days=2),
        featured=True,
        topics=["Interviews", "Salary"],
    )
    return draft, scheduled, live


def test_list_shows_state_author_date_topics_and_featured(editor_client, three_states):
    draft, scheduled, live = three_states

    response = editor_client.get(changelist_url())

    html = response.text
    assert '<span class="state state--draft">Draft</span>' in html
    assert '<span class="state state--scheduled">Scheduled</span>' in html
    assert '<span class="state state--published">Published</span>' in html
    assert live.author.name in html
    assert "Interviews, Salary" in html
    assert "13 Jun 2026" in html  # The live one's date, in London time.
    assert 'alt="True"' in html  # Featured icon.
    assert reverse("admin:articles_article_preview", args=[draft.pk]) in html


def test_list_shows_drafts_first_then_the_newest(editor_client, three_states):
    response = editor_client.get(changelist_url())

    assert [a.title for a in response.context["cl"].result_list] == [
        "A draft",
        "A scheduled one",
        "A live one",
    ]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("draft", ["A draft"]),
        ("scheduled", ["A scheduled one"]),
        ("published", ["A live one"]),
    ],
)
def test_list_filters_by_state(editor_client, three_states, state, expected):
    response = editor_client.get(changelist_url(), {"state": state})

    assert [a.title for a in response.context["cl"].result_list] == expected


def test_list_filters_by_author_topic_and_featured(editor_client, three_states):
    draft, scheduled, live = three_states

    by_author = editor_client.get(
        changelist_url(), {"author__id__exact": draft.author.pk}
    )
    by_topic = editor_client.get(changelist_url(), {"topic": "salary"})
    featured = editor_client.get(changelist_url(), {"featured__exact": "1"})

    assert [a.title for a in by_author.context["cl"].result_list] == ["A draft"]
    assert [a.title for a in by_topic.context["cl"].result_list] == ["A live one"]
    assert [a.title for a in featured.context["cl"].result_list] == ["A live one"]


def test_topic_filter_offers_only_the_most_used_topics(editor_client):
    ArticleFactory(topics=[f"Rare topic {n:02}" for n in range(40)])
    ArticleFactory.create_batch(2, topics=["Popular"])

    response = editor_client.get(changelist_url())

    topic_filter = next(
        spec for spec in response.context["cl"].filter_specs if spec.title == "topic"
    )
    choices = [choice for choice in topic_filter.lookup_choices]
    assert len(choices) == 30
    assert choices[0] == ("popular", "Popular")
    # A topic outside the list can still be filtered on by its link.
    chosen = editor_client.get(changelist_url(), {"topic": "rare-topic-39"})
    assert ("rare-topic-39", "Rare topic 39") in next(
        spec for spec in chosen.context["cl"].filter_specs if spec.title == "topic"
    ).lookup_choices


def test_search_looks_in_titles_and_bodies(editor_client):
    ArticleFactory(title="Counter-offers explained", body="Plain text.")
    ArticleFactory(title="Other", body="When your boss makes a counter-offer…")
    ArticleFactory(title="Unrelated", body="Nothing here.")

    response = editor_client.get(changelist_url(), {"q": "counter-offer"})

    assert sorted(a.title for a in response.context["cl"].result_list) == [
        "Counter-offers explained",
        "Other",
    ]


def test_list_has_a_date_hierarchy_on_the_publish_date(editor_client):
    ArticleFactory(title="Old", published_at=datetime(2024, 3, 1, 9, tzinfo=UTC))
    ArticleFactory(title="New", published_at=datetime(2025, 3, 1, 9, tzinfo=UTC))

    everything = editor_client.get(changelist_url())
    response = editor_client.get(changelist_url(), {"published_at__year": "2024"})

    assert "?published_at__year=2024" in everything.text
    assert "?published_at__year=2025" in everything.text
    assert [a.title for a in response.context["cl"].result_list] == ["Old"]


def run_action(client, action, articles, *, confirm=True):
    """Choose ``action`` in the list; publishing ones are confirmed next."""
    data = {"action": action, "_selected_action": [a.pk for a in articles]}
    response = client.post(changelist_url(), data, follow=True)
    if confirm and action in ("publish_now", "unpublish"):
        assert "Yes, " in response.text
        response = client.post(changelist_url(), {**data, "post": "yes"}, follow=True)
    return response


def test_publish_now_action_publishes_drafts_and_scheduled_and_reports_counts(
    editor_client, three_states, now
):
    draft, scheduled, live = three_states

    response = run_action(editor_client, "publish_now", three_states)

    assert "2 articles published now. 1 was already live." in messages_of(response)
    for article in three_states:
        article.refresh_from_db()
        assert article.is_live
    assert draft.published_at == now
    assert scheduled.published_at == now
    assert live.published_at == now - timedelta(days=2)


def test_publish_action_asks_first_saying_what_happens_to_which(
    editor_client, three_states, now
):
    draft, scheduled, live = three_states

    page = run_action(editor_client, "publish_now", three_states, confirm=False)

    assert page.status_code == 200
    assert "Publish 2 articles now?" in page.text
    assert "They go live now, at Monday 15 June 2026, 13:00 BST" in page.text
    assert "Scheduled ones no longer wait for their date." in page.text
    assert "A draft" in page.text and "A scheduled one" in page.text
    assert "“A live one” is already live." in page.text
    assert [a.state for a in Article.objects.order_by("pk")] == [
        State.DRAFT,
        State.SCHEDULED,
        State.PUBLISHED,
    ]


def test_unpublish_action_asks_first(editor_client, three_states):
    page = run_action(editor_client, "unpublish", three_states, confirm=False)

    assert "Unpublish 2 articles?" in page.text
    assert "go back to draft" in page.text
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == 2


def test_unpublish_action_returns_articles_to_draft_and_reports_counts(
    editor_client, three_states
):
    draft, scheduled, live = three_states

    response = run_action(editor_client, "unpublish", three_states)

    assert "2 articles unpublished (back to draft). 1 was already a draft." in (
        messages_of(response)
    )
    assert {a.state for a in Article.objects.all()} == {State.DRAFT}
    assert editor_client.get(live.get_absolute_url()).status_code == 404


def test_feature_and_unfeature_actions_report_how_many_changed(
    editor_client, three_states
):
    featured = run_action(editor_client, "feature", three_states)
    assert "2 articles featured. 1 was already featured." in messages_of(featured)
    assert Article.objects.filter(featured=True).count() == 3

    unfeatured = run_action(editor_client, "unfeature", three_states[:1])
    assert "1 article unfeatured." in messages_of(unfeatured)
    assert Article.objects.filter(featured=True).count() == 2


@pytest.mark.parametrize("rows", [5, 60])
def test_list_query_count_does_not_grow_with_rows(
    editor_client, django_assert_num_queries, rows
):
    """No query per row: authors are joined and topics prefetched."""
    for n in range(rows):
        ArticleFactory(
            author=AuthorFactory(),
            topics=[f"Topic {n % 7}", "Common"],
            status=Article.Status.DRAFT if n % 3 else Article.Status.PUBLISHED,
        )

    # 1 session, 1 user, 2 permissions (the user's own, its groups')
    # 1 author filter choices (authors with articles), 1 topic filter choices
    # 1 filtered count, 1 full count
    # 1 page of articles joined with authors, 1 prefetch of their topics
    # 2 date hierarchy (first and last date, then the dates to offer)
    with django_assert_num_queries(12):
        response = editor_client.get(changelist_url())

    assert response.context["cl"].result_count == rows


# -- Authors -----------------------------------------------------------------


def test_author_admin_has_photo_bio_and_a_staff_login_picker(editor_client):
    UserFactory(username="writer-login", is_staff=True)
    UserFactory(username="reader-login", is_staff=False)

    response = editor_client.get(reverse("admin:articles_author_add"))

    form = response.context["adminform"].form
    assert {"name", "slug", "bio", "photo", "user"} <= set(form.fields)
    # Only admin logins can write, so only they are offered.
    assert [user.username for user in form.fields["user"].queryset] == [
        "edna",
        "writer-login",
    ]
    assert "reader-login" not in response.text


def test_author_page_lists_only_their_published_articles(client, now):
    author = AuthorFactory(name="Ada Byline")
    ArticleFactory(author=author, title="Live by Ada")
    ArticleFactory(author=author, title="Draft by Ada", status=Article.Status.DRAFT)
    ArticleFactory(
        author=author, title="Soon by Ada", published_at=now + timedelta(days=1)
    )
    ArticleFactory(title="Someone else's")

    response = client.get(author.get_absolute_url())

    assert [a.title for a in response.context["articles"]] == ["Live by Ada"]
    assert "Draft by Ada" not in response.text
    assert "Soon by Ada" not in response.text
