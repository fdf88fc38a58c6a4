"""Cards on list pages kept rendered as fragments (``{% fragment_for %}``,
reader/fragments.py): the same page as when rendered whole, topics read only
for cards rendered anew, and fresh at once after every change.

The page cache is off, so only the fragments are stored. As in
test_fragments.py, a queryset update (no signal) shows whether a card came
from the cache.
"""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Author, TopicDescription
from articles.services import article_write
from benchmarks import corpus
from reader import fragments, pagecache
from tests.factories import ArticleFactory, AuthorFactory

from .test_pagecache import behind_the_cache, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def shelf(now):
    """Cards of every kind: with a cover (and AVIF), without one, featured
    (the home's large lead card), with two topics (a topic page shows the
    other one), by one author (whose page shows no byline)."""
    writer = AuthorFactory(name="Rae Writer", slug="rae")
    ArticleFactory(title="Older advice", topics=["salary"], featured=True)
    ArticleFactory(
        title="No cover here", author=writer, topics=["cv"], excerpt="Plain."
    )
    covered = ArticleFactory(
        title='The "first" interview',
        author=writer,
        topics=["interviews", "salary"],
        featured=True,
        cover_image="covers/a.jpg",
        cover_renditions=corpus.renditions("covers/a")
        | {"avif": [[480, "/media/renditions/covers/a-480w.avif"]]},
    )
    return Article.objects.get(pk=covered.pk)


URLS = [
    reverse("articles:home"),
    reverse("articles:topic", args=["salary"]),
    reverse("articles:list"),
    reverse("articles:topic", args=["cv"]),
    reverse("articles:topic", args=["interviews"]),
    reverse("articles:author", args=["rae"]),
]


def cards_of(page: str) -> str:
    return page.split('<main id="main"', 1)[1]


def test_pages_are_the_same_with_cards_kept_or_rendered_whole(
    client, shelf, monkeypatch
):
    kept_cold = {url: text_of(client, url) for url in URLS}
    kept_warm = {url: text_of(client, url) for url in URLS}
    monkeypatch.setattr(fragments, "version", lambda: None)  # no fragments
    whole = {url: text_of(client, url) for url in URLS}
    assert kept_cold == whole
    assert kept_warm == whole
    home = cards_of(whole[reverse("articles:home")])
    assert "card card--large" in home
    assert 'type="image/avif"' in home
    assert "card--no-cover" in home


def test_a_page_shown_before_reads_no_articles(
    client, shelf, django_assert_num_queries
):
    for url in URLS:
        text_of(client, url)
    with django_assert_num_queries(0):  # cards, topics and count all kept
        text_of(client, reverse("articles:home"))
    with django_assert_num_queries(0):
        text_of(client, reverse("articles:list"))
    with django_assert_num_queries(0):
        text_of(client, reverse("articles:topic", args=["cv"]))
    with django_assert_num_queries(1):  # the author (their header, cards kept)
        text_of(client, reverse("articles:author", args=["rae"]))


def test_a_page_whose_cards_are_kept_reads_no_topics(
    client, shelf, django_assert_num_queries
):
    """Without the page's own fragment (evicted), its cards are still kept:
    the page reads its articles but renders none of their cards."""
    url = reverse("articles:list")
    text_of(client, url)
    pagecache.page_cache().delete(fragments.key(fragments.version(), "list-cards", "1"))
    with django_assert_num_queries(1):  # the page's articles (their count kept)
        page = text_of(client, url)
    assert page.count('<article class="card') == 3


def test_kept_cards_are_reused_and_fresh_after_an_edit(client, shelf):
    url = reverse("articles:list")
    text_of(client, url)
    behind_the_cache(shelf, title="Changed without a signal")
    assert "The “first” interview" in cards_of(text_of(client, url))
    shelf.refresh_from_db()
    shelf.title = "Interviews, the second time"
    article_write(article=shelf)
    page = cards_of(text_of(client, url))
    assert "Interviews, the second time" in page
    assert "“first”" not in page


def test_each_page_keeps_its_own_card_of_an_article(client, shelf):
    """A topic page's card names another topic than the page's, an author
    page's card has no byline: no page is shown another page's card."""
    interviews, salary, listing, by_author = (
        reverse("articles:topic", args=["interviews"]),
        reverse("articles:topic", args=["salary"]),
        reverse("articles:list"),
        reverse("articles:author", args=["rae"]),
    )
    byline = 'href="/authors/rae/">Rae Writer</a>'
    for _ in range(2):  # rendered, then kept
        on_interviews = cards_of(text_of(client, interviews))
        assert 'class="card__topic" href="/topics/salary/"' in on_interviews
        assert 'class="card__topic" href="/topics/interviews/"' not in on_interviews
        on_salary = cards_of(text_of(client, salary))
        assert 'class="card__topic" href="/topics/interviews/"' in on_salary
        assert byline in cards_of(text_of(client, listing))
        assert byline not in cards_of(text_of(client, by_author))


def test_kept_cards_show_a_renamed_author_and_topic_at_once(client, shelf):
    for url in URLS:
        text_of(client, url)
    author = Author.objects.get(slug="rae")
    author.name = "Rae Renamed"
    author.save()
    tag = Tag.objects.get(slug="interviews")
    tag.name = "Job interviews"
    tag.save()
    assert ">Rae Renamed</a>" in cards_of(text_of(client, reverse("articles:list")))
    on_salary = cards_of(text_of(client, reverse("articles:topic", args=["salary"])))
    assert ">Job interviews</a>" in on_salary
    assert ">Rae Renamed</a>" in cards_of(text_of(client, reverse("articles:home")))


def test_a_kept_topic_shows_its_new_count_and_description_at_once(client, shelf):
    url = reverse("articles:topic", args=["salary"])
    assert "2 articles" in text_of(client, url)
    ArticleFactory(title="Ask for more", topics=["salary"])
    assert "3 articles" in text_of(client, url)
    tag = Tag.objects.get(slug="salary")
    # As the topic's admin form saves it: the topic, then its description.
    tag.save()
    TopicDescription.objects.create(tag=tag, description="Pay and raises.")
    page = text_of(client, url)
    assert '<p class="page-header__lede">Pay and raises.</p>' in page
    assert '<meta name="description" content="Pay and raises.">' in page


def test_a_topic_description_saved_on_its_own_shows_at_once(client, shelf):
    """Not through the topic's admin form (which saves the topic too)."""
    url = reverse("articles:topic", args=["salary"])
    text_of(client, url)
    text_of(client, reverse("articles:topics"))
    TopicDescription.objects.create(
        tag=Tag.objects.get(slug="salary"), description="Pay."
    )
    assert '<p class="page-header__lede">Pay.</p>' in text_of(client, url)
    assert "Pay." in text_of(client, reverse("articles:topics"))


def test_a_kept_author_page_shows_a_new_article_and_a_new_name_at_once(client, shelf):
    url = reverse("articles:author", args=["rae"])
    assert '<span class="muted">(2)</span>' in text_of(client, url)
    ArticleFactory(title="Third by Rae", author=Author.objects.get(slug="rae"))
    page = text_of(client, url)
    assert '<span class="muted">(3)</span>' in page
    assert "Third by Rae" in page
    author = Author.objects.get(slug="rae")
    author.name, author.bio = "Rae Renamed", "Now writes about pay."
    author.save()
    page = text_of(client, url)
    assert "<h1>Rae Renamed</h1>" in page
    assert '<p class="author-header__bio">Now writes about pay.</p>' in page
    assert '"description": "Now writes about pay."' in page  # JSON-LD


def test_a_kept_list_count_grows_with_new_articles_at_once(client, shelf):
    ArticleFactory.create_batch(10)  # 13 live articles: two pages
    url = reverse("articles:list")
    assert "Page 1 of 2" in text_of(client, url)
    assert client.get(url + "?page=3").status_code == 404
    ArticleFactory.create_batch(12)
    assert "Page 1 of 3" in text_of(client, url)
    assert client.get(url + "?page=3").status_code == 200


def test_an_unknown_or_empty_topic_is_not_found_kept_or_not(client, shelf):
    Tag.objects.create(name="Empty", slug="empty")
    for _ in range(2):
        for slug in ("nothing-here", "empty"):
            url = reverse("articles:topic", args=[slug])
            assert client.get(url).status_code == 404


LOOP = (
    "{% load fragment_loops %}"
    '{% fragment_for "turn" item in items forloop.counter forloop.revcounter %}'
    "[{{ forloop.counter0 }}/{{ forloop.revcounter0 }}"
    "{% if forloop.first %} first{% endif %}{% if forloop.last %} last{% endif %}"
    ": {{ item.name }} {{ label }}]{% endfragment_for %}"
)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_fragment_for_renders_what_for_renders(count):
    items = [SimpleNamespace(pk=n, name=f"<item {n}>") for n in range(count)]
    plain = Template(
        LOOP.replace('fragment_for "turn"', "for")
        .replace(" forloop.counter forloop.revcounter %}", " %}")
        .replace("endfragment_for", "endfor")
    ).render(Context({"items": items, "label": "a"}))
    kept = Template(LOOP)
    version = fragments.version()
    for _ in range(2):  # rendered, then read back
        assert (
            kept.render(
                Context({"items": items, "label": "a", "fragment_version": version})
            )
            == plain
        )
    assert kept.render(Context({"items": items, "label": "a"})) == plain
    if count:
        assert "&lt;item 0&gt;" in plain
