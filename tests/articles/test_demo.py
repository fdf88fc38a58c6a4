"""Demo content: enough real articles to try every page, safe to load twice.

Loading draws about 60 cover images, so it runs once for the module, inside a
transaction rolled back at the end; each test then runs in a savepoint of it.
"""

import io
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author, SlugRedirect, topics_in_use
from articles.rendering import READ_MORE_LINE
from tests.factories import NOW

pytestmark = pytest.mark.django_db

MODELS = [Article, Author, Tag, TaggedItem, Article.related.through, SlugRedirect]


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in MODELS}
    counts["User"] = get_user_model().objects.count()
    return counts


def files_in(folder: Path) -> list[str]:
    return sorted(
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file()
    )


def load(media: Path) -> dict:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_demo", stdout=out, stderr=err)
    return {
        "rows": row_counts(),
        "files": files_in(media),
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    with (
        time_machine.travel(NOW, tick=False),
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        first = load(media)
        second = load(media)
        yield {"media": media, "first": first, "second": second}
        transaction.set_rollback(True)


def test_loading_twice_duplicates_nothing(demo):
    first, second = demo["first"], demo["second"]
    assert first["rows"]["Article"] > 0
    assert second["rows"] == first["rows"]
    assert second["files"] == first["files"]
    assert "(0 new)" in second["stdout"]


def test_loading_reports_no_unknown_references(demo):
    assert demo["first"]["stderr"] == ""
    assert demo["second"]["stderr"] == ""


def test_at_least_24_live_articles_by_at_least_5_authors_with_bios(demo):
    live = Article.objects.live()
    assert live.count() >= 24
    authors = Author.objects.filter(articles__in=live).distinct()
    assert authors.count() >= 5
    for author in authors:
        assert author.bio
        assert author.job_title


def test_articles_are_real_reading(demo):
    for article in Article.objects.all():
        assert article.word_count >= 400, article.slug
        assert article.cover_alt, article.slug
    titles = list(Article.objects.values_list("title", flat=True))
    assert len(set(titles)) == len(titles)


def test_at_least_10_topics_in_use_with_readable_names(demo):
    topics = list(topics_in_use())
    assert len(topics) >= 10
    # Readers see the name: "Career change", not "career-change".
    assert [t.name for t in topics if "-" in t.name and t.name == t.slug] == []


def test_one_scheduled_and_one_draft_that_readers_cannot_see(client, demo):
    scheduled = Article.objects.filter(
        status=Article.Status.PUBLISHED, published_at__gt=NOW
    )
    drafts = Article.objects.filter(status=Article.Status.DRAFT)
    assert scheduled.count() == 1
    assert drafts.count() == 1
    hidden = [scheduled.get(), drafts.get()]

    for article in hidden:
        assert client.get(article.get_absolute_url()).status_code == 404
    texts = [client.get(reverse("articles:home")).text]
    page_number = 1
    while (
        response := client.get(reverse("articles:list"), {"page": page_number})
    ).status_code == 200:
        texts.append(response.text)
        page_number += 1
    assert page_number > 3  # 24+ articles: at least two full list pages were read
    for text in texts:
        for article in hidden:
            assert article.title not in text


def test_read_more_references_are_resolved_to_existing_articles(client, demo):
    references = [
        (article, ref)
        for article in Article.objects.all()
        for ref in READ_MORE_LINE.findall(article.body)
    ]
    assert len(references) >= 5
    ids = set(Article.objects.values_list("pk", flat=True))
    for article, ref in references:
        # The text keeps the slug as written; the id is stored beside it.
        assert not ref.isdigit(), (article.slug, ref)
        assert article.read_more_refs[ref] in ids, (article.slug, ref)
    # And they show as links on the page.
    article = next(a for a, ref in references if a.is_live)
    response = client.get(article.get_absolute_url())
    assert 'class="read-more"' in response.text


def test_some_articles_have_hand_picked_related_articles(demo):
    assert Article.related.through.objects.count() >= 3


def test_covers_and_photos_have_renditions_on_disk(demo):
    media = demo["media"]

    def assert_renditions(renditions: dict, label: str) -> None:
        assert renditions.get("jpeg"), label
        for _, url in renditions["jpeg"] + renditions.get("webp", []):
            assert (media / url.removeprefix("/media/")).is_file(), url
        assert renditions["width"] > 0
        assert renditions["height"] > 0

    for article in Article.objects.all():
        assert article.cover_image, article.slug
        assert (media / article.cover_image.name).is_file()
        assert_renditions(article.cover_renditions, article.slug)
    for author in Author.objects.all():
        assert author.photo, author.slug
        assert_renditions(author.photo_renditions, author.slug)


def test_demo_pages_open(client, demo):
    article = Article.objects.live().first()
    topic = topics_in_use().first()
    for url in [
        reverse("articles:home"),
        reverse("articles:list"),
        article.get_absolute_url(),
        article.author.get_absolute_url(),
        reverse("articles:topic", args=[topic.slug]),
    ]:
        assert client.get(url).status_code == 200, url
