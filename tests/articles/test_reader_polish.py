"""What readers see around the articles: wayfinding, cards, covers, type."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, TopicDescription
from tests.articles.admin_forms import add_url, article_form, change_url
from tests.articles.image_files import image_bytes, upload
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


def cards(html: str) -> list[str]:
    return html.split('<article class="card')[1:]


def test_header_marks_the_section_the_reader_is_in(client):
    article = ArticleFactory(topics=["interviews"])

    topics = client.get(reverse("articles:topics")).text
    topic = client.get(reverse("articles:topic", args=["interviews"])).text
    detail = client.get(article.get_absolute_url()).text

    assert f'href="{reverse("articles:topics")}" aria-current="page">Topics' in topics
    assert f'href="{reverse("articles:topics")}" aria-current="true">Topics' in topic
    assert f'href="{reverse("articles:list")}" aria-current="true">Articles' in detail
    assert 'aria-current="page">Articles' not in detail


def test_header_offers_subscribe_on_every_page(client):
    response = client.get(reverse("articles:home"))
    assert f'href="{reverse("newsletter:signup")}">Subscribe</a>' in response.text


def test_search_page_has_one_search_box_not_two(client):
    response = client.get(reverse("articles:search"), {"q": "salary"})
    assert response.text.count('type="search"') == 1


def test_topic_page_shows_its_editable_description(client, editor_client):
    ArticleFactory(topics=["interviews"])
    tag = Tag.objects.get(slug="interviews")
    form = {
        "name": tag.name,
        "slug": tag.slug,
        "topic_description-TOTAL_FORMS": "1",
        "topic_description-INITIAL_FORMS": "0",
        "topic_description-0-description": "Questions, answers and what follows.",
        "taggit_taggeditem_items-TOTAL_FORMS": "0",
        "taggit_taggeditem_items-INITIAL_FORMS": "0",
    }

    response = editor_client.post(
        reverse("admin:articles_topic_change", args=[tag.pk]), form
    )

    assert response.status_code == 302, response.context["errors"]
    assert tag.topic_description.description == "Questions, answers and what follows."
    page = client.get(reverse("articles:topic", args=["interviews"])).text
    index = client.get(reverse("articles:topics")).text
    assert "Questions, answers and what follows." in page
    assert '<p class="topic-index__line">Questions, answers and what follows.' in index


def test_topic_without_a_description_still_shows_its_page(client):
    ArticleFactory(topics=["networking"])
    response = client.get(reverse("articles:topic", args=["networking"]))
    assert response.status_code == 200
    assert not TopicDescription.objects.exists()


def test_topic_page_cards_show_another_topic_than_the_page_own(client):
    ArticleFactory(topics=["interviews", "salary"])
    ArticleFactory(topics=["interviews"])

    text = client.get(reverse("articles:topic", args=["interviews"])).text

    labels = [card.count('class="card__topic"') for card in cards(text)]
    assert sorted(labels) == [0, 1]
    assert ">interviews</a>" not in "".join(cards(text))
    assert ">salary</a>" in "".join(cards(text))


def test_author_page_cards_do_not_repeat_the_author_name(client):
    author = AuthorFactory(name="Priya Example")
    ArticleFactory.create_batch(3, author=author)

    text = client.get(author.get_absolute_url()).text

    assert len(cards(text)) == 3
    assert all("Priya Example" not in card for card in cards(text))


def test_card_without_a_cover_gets_a_drawn_panel_in_its_topic_tone(client):
    ArticleFactory(title="No picture here", topics=["remote-work"])

    text = client.get(reverse("articles:list")).text

    (card,) = cards(text)
    assert "card--no-cover" in card
    tone = Tag.objects.get(slug="remote-work").pk % 6
    assert f'class="card__image card__fallback card__fallback--{tone}"' in card
    assert 'class="card__fallback-label"' in card


def test_lead_featured_cover_loads_first_and_the_rest_lazily(client):
    name = "covers/c.jpg"
    renditions = {
        "jpeg": [[480, "renditions/c-480w.jpg"]],
        "webp": [[480, "renditions/c-480w.webp"]],
        "fallback": "renditions/c-480w.jpg",
        "width": 480,
        "height": 270,
    }
    ArticleFactory.create_batch(3, cover_image=name, cover_renditions=renditions)
    ArticleFactory(featured=True, cover_image=name, cover_renditions=renditions)

    text = client.get(reverse("articles:home")).text

    assert text.count('loading="eager" fetchpriority="high"') == 1
    assert text.index('fetchpriority="high"') < text.index('loading="lazy"')
    assert text.count('loading="lazy"') == 3


def test_titles_get_typographic_quotes_like_the_body(client):
    article = ArticleFactory(title="Answering 'Tell me about yourself' without \"um\"")

    text = client.get(reverse("articles:list")).text
    page = client.get(article.get_absolute_url()).text

    typographic = "Answering ‘Tell me about yourself’ without “um”"
    assert typographic in text
    assert f'<h1 class="article__title">{typographic}</h1>' in page


def test_related_cards_show_topic_date_and_a_short_excerpt(client):
    article = ArticleFactory(topics=["cv", "salary"])
    ArticleFactory(
        title="Other",
        topics=["networking", "salary"],
        excerpt="A first sentence that says enough. " * 6,
    )

    text = client.get(article.get_absolute_url()).text
    related = text.split('id="related-title"', 1)[1]

    # The topic shared with the article is the one shown.
    assert (
        f'<a href="{reverse("articles:topic", args=["salary"])}">salary</a>' in related
    )
    assert '<time datetime="2025-' in related
    excerpt = related.split('<p class="related__excerpt">', 1)[1].split("</p>")[0]
    assert len(excerpt) <= 111
    assert excerpt.endswith("enough.")


def test_publishing_without_a_cover_warns_the_editor(editor_client, author, now):
    editor_client.post(add_url(), article_form(author=author.pk))
    article = Article.objects.get()
    url = reverse("admin:articles_article_publish", args=[article.pk])

    confirmation = editor_client.get(url, {"action": "publish"})
    response = editor_client.post(url, {"action": "publish"}, follow=True)
    saved = editor_client.post(
        change_url(article),
        article_form(
            author=author.pk, published_at_0="2026-06-15", published_at_1="13:00"
        ),
        follow=True,
    )

    assert "has no cover image" in confirmation.text
    assert Article.objects.get().is_live
    assert "Live since" in response.text
    messages = [str(m) for m in saved.context["messages"]]
    assert any("has no cover image" in text for text in messages)


def test_publishing_with_a_cover_or_saving_a_draft_does_not_warn(
    editor_client, author, now
):
    with_cover = {
        **article_form(author=author.pk, cover_alt="A desk"),
        "cover_image": upload("c.jpg", image_bytes()),
    }
    draft = article_form(author=author.pk, slug="a-draft", title="A draft")

    for data in (with_cover, draft):
        response = editor_client.post(add_url(), data, follow=True)
        messages = [str(m) for m in response.context["messages"]]
        assert not any("has no cover image" in text for text in messages)
    covered = Article.objects.get(slug=with_cover["slug"])
    url = reverse("admin:articles_article_publish", args=[covered.pk])
    confirmation = editor_client.get(url, {"action": "publish"})
    assert "goes live now" in confirmation.text
    assert "has no cover image" not in confirmation.text


def test_about_and_privacy_pages_are_linked_from_every_page(client):
    text = client.get(reverse("articles:home")).text
    for name in ("about", "privacy", "newsletter:editions", "articles:feed"):
        assert f'href="{reverse(name)}"' in text
    for name in ("about", "privacy"):
        assert client.get(reverse(name)).status_code == 200


def test_dates_in_markup_are_valid_html_even_with_microseconds(client):
    """Publishing "now" stores microseconds; HTML allows at most three digits."""
    published = datetime(2026, 3, 4, 9, 30, 15, 123456, tzinfo=UTC)
    article = ArticleFactory(published_at=published)

    for url in (reverse("articles:list"), article.get_absolute_url()):
        text = client.get(url).text
        assert 'datetime="2026-03-04T09:30:15+00:00"' in text
        assert not re.search(r'datetime="[^"]*\.\d', text)
