"""'Read more' lines: written as references, shown with the target's current state."""

import pytest

from articles import read_more
from articles.models import Article
from articles.services import article_write
from tests.factories import ArticleFactory, DraftArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db


def read_more_link(target: Article) -> str:
    # With its label: the related list links the same article too.
    return (
        '<span class="read-more__label">Read more:</span> '
        f'<a href="{target.get_absolute_url()}">{target.title}</a>'
    )


def link(body: str):
    return read_more.link(body, viewer=read_more.SYSTEM)


def article_referencing(*targets, before="Intro paragraph.", **kwargs) -> Article:
    lines = "".join(f"[[read-more:{target.pk}]]\n\n" for target in targets)
    return ArticleFactory(body=f"{before}\n\n{lines}Closing paragraph.\n", **kwargs)


def page_text(client, article: Article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return response.text


# ---------------------------------------------------------------------------
# On the public page
# ---------------------------------------------------------------------------


def test_published_target_is_linked_with_its_title_and_url(client, now):
    target = ArticleFactory(title="Negotiating your first salary", slug="first-salary")
    article = article_referencing(target)
    text = page_text(client, article)
    assert (
        '<p class="read-more"><span class="read-more__label">Read more:</span> '
        '<a href="/articles/first-salary/">Negotiating your first salary</a></p>'
    ) in text
    assert "[[read-more" not in text


@pytest.mark.parametrize(
    "make_target",
    [DraftArticleFactory, ScheduledArticleFactory],
    ids=["draft", "scheduled"],
)
def test_unpublished_target_shows_nothing_to_readers(client, now, make_target):
    target = make_target(title="Secret plans for next month")
    article = article_referencing(target)
    text = page_text(client, article)
    assert "Secret plans for next month" not in text
    assert target.get_absolute_url() not in text
    assert "Read more" not in text
    assert "[[read-more" not in text
    # The rest of the body is still there.
    assert "Intro paragraph." in text
    assert "Closing paragraph." in text


def test_target_that_was_unpublished_after_the_reference_disappears(client, now):
    target = ArticleFactory(title="Old advice we withdrew")
    article = article_referencing(target)
    assert read_more_link(target) in page_text(client, article)
    target.status = Article.Status.DRAFT
    article_write(article=target)
    assert "Old advice we withdrew" not in page_text(client, article)


def test_deleted_target_shows_nothing(client, now):
    target = ArticleFactory(title="Soon to be deleted")
    article = article_referencing(target)
    target.delete()
    text = page_text(client, article)
    assert "Soon to be deleted" not in text
    assert "Read more" not in text
    assert "[[read-more" not in text


def test_renamed_target_shows_its_new_title_and_url(client, now):
    target = ArticleFactory(title="CV tips", slug="cv-tips")
    article = article_referencing(target)

    target.title = "How to write a CV that gets read"
    target.slug = "cv-that-gets-read"
    article_write(article=target)

    text = page_text(client, article)
    assert read_more_link(target) in text
    assert '<a href="/articles/cv-that-gets-read/">How to write a CV' in text
    assert "CV tips" not in text
    assert "/articles/cv-tips/" not in text


def test_several_targets_each_get_their_own_line_in_order(client, now):
    first = ArticleFactory(title="First target")
    second = ArticleFactory(title="Second target")
    article = article_referencing(second, first)
    text = page_text(client, article)
    assert read_more_link(first) in text
    assert read_more_link(second) in text
    assert text.index(read_more_link(second)) < text.index(read_more_link(first))


def test_target_title_is_escaped(client, now):
    target = ArticleFactory(title="Pay & <perks> talk")
    article = article_referencing(target)
    text = page_text(client, article)
    assert "Pay &amp; &lt;perks&gt; talk</a>" in text
    assert "<perks>" not in text


def test_read_more_line_right_under_a_paragraph_still_becomes_a_link(client, now):
    # Editors often type the line directly under a paragraph, no blank line.
    target = ArticleFactory(title="Questions to ask at the end")
    article = ArticleFactory(
        body=f"Always prepare questions.\n[[read-more:{target.pk}]]\nThen relax.\n"
    )
    text = page_text(client, article)
    assert read_more_link(target) in text
    assert "[[read-more" not in text


def test_reference_inside_a_sentence_is_not_a_read_more_line(client, now):
    target = ArticleFactory(title="Inline target")
    article = ArticleFactory(body=f"Text [[read-more:{target.pk}]] more text.\n")
    assert read_more_link(target) not in page_text(client, article)


# ---------------------------------------------------------------------------
# In an editor's preview
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_target",
    [DraftArticleFactory, ScheduledArticleFactory],
    ids=["draft", "scheduled"],
)
def test_preview_names_an_unpublished_target_as_plain_text(now, make_target):
    target = make_target(title="Coming soon: <b>pay</b> rises")
    article = article_referencing(target)
    html = read_more.expand(
        article.body_html, viewer=read_more.SYSTEM, targets={target.pk: target}
    )
    assert "Coming soon: &lt;b&gt;pay&lt;/b&gt; rises" in html
    assert "read-more--pending" in html
    assert "<a " not in html
    assert target.get_absolute_url() not in html


def test_preview_links_a_published_target_like_the_public_page(now):
    target = ArticleFactory(title="Live target")
    article = article_referencing(target)
    html = read_more.body_for_page(article, viewer=read_more.SYSTEM)
    assert read_more_link(target) in html
    assert html == read_more.body_for_page(article)


def test_public_rendering_of_an_unpublished_target_is_empty(now):
    target = DraftArticleFactory(title="Not yet")
    article = article_referencing(target)
    html = read_more.expand(article.body_html, targets={target.pk: target})
    assert "Not yet" not in html
    assert "read-more" not in html


# ---------------------------------------------------------------------------
# The text keeps the slugs; the ids are stored beside it
# ---------------------------------------------------------------------------


def test_slug_reference_is_resolved_to_the_articles_id():
    target = ArticleFactory(slug="salary-talks")
    mapping, missing = link("Intro.\n\n[[read-more:salary-talks]]\n\nEnd.\n")
    assert mapping == {"salary-talks": target.pk}
    assert missing == []


def test_former_slug_reference_is_resolved_to_the_articles_id():
    target = ArticleFactory(slug="old-name")
    target.slug = "new-name"
    article_write(article=target)
    assert link("[[read-more:old-name]]") == ({"old-name": target.pk}, [])


def test_id_reference_is_resolved_too():
    target = ArticleFactory()
    assert link(f"[[read-more:{target.pk}]]") == ({str(target.pk): target.pk}, [])


def test_unknown_references_are_reported_missing():
    known = ArticleFactory(slug="known")
    source = (
        "[[read-more:no-such-article]]\n\n[[read-more:known]]\n\n[[read-more:999999]]"
    )
    mapping, missing = link(source)
    assert mapping == {"known": known.pk}
    assert missing == ["no-such-article", "999999"]


def test_body_without_references_links_nothing():
    assert link("Just text.") == ({}, [])


def test_saved_article_keeps_the_slug_as_typed_and_stores_the_id_beside_it():
    target = ArticleFactory(slug="salary-talks")
    article = ArticleFactory(body="Intro.\n\n[[read-more:salary-talks]]\n")
    article.refresh_from_db()
    assert article.body == "Intro.\n\n[[read-more:salary-talks]]\n"
    assert article.read_more_refs == {"salary-talks": target.pk}
    assert list(article.reads_more.all()) == [target]
    assert list(target.read_more_from.all()) == [article]


def test_resolved_reference_survives_a_later_rename(client, now):
    target = ArticleFactory(title="Before", slug="before")
    article = ArticleFactory(body="Intro.\n\n[[read-more:before]]\n")
    target.title, target.slug = "After", "after"
    article_write(article=target)
    assert read_more_link(target) in page_text(client, article)
    assert "/articles/after/" in read_more_link(target)
    # Saving the text again keeps the reference on the same article, even
    # once another article takes the old slug.
    ArticleFactory(slug="before", title="Impostor")
    article.refresh_from_db()
    article.title = "Edited"
    article_write(article=article)
    assert article.read_more_refs == {"before": target.pk}
    assert read_more_link(target) in page_text(client, article)


# ---------------------------------------------------------------------------
# Read-more lines are not part of the text
# ---------------------------------------------------------------------------


def test_read_more_line_does_not_count_in_the_excerpt_or_word_count():
    target = ArticleFactory(title="Target")
    text = "First real words here. " * 20
    plain = ArticleFactory(excerpt="", body=text)
    article = ArticleFactory(
        excerpt="",
        body=f"[[read-more:{target.pk}]]\n\n{text}\n\n[[read-more:{target.pk}]]",
    )
    assert article.summary.startswith("First real words here.")
    assert article.summary == plain.summary
    assert article.word_count == plain.word_count == 80
