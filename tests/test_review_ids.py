"""Ids in admin URLs and forms are ASCII digits: "１" (full-width), "١"
(Arabic-Indic), " 1" or "+1" name no object, and answer exactly as an id
that does not exist does, never as the object that int() reads them as."""

import re

import pytest

from articles.models import Article
from httpguard.ids import parse_id
from tests.articles.admin_forms import article_form, change_url
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    DraftArticleFactory,
    EditionFactory,
    EditorFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db

# What int() reads as 1: full-width, Arabic-Indic, Devanagari digits, a sign,
# spaces around.
LOOKALIKES_OF_ONE = ["\uff11", "\u0661", "\u0967", "+1", " 1", "1 "]


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory(username="edna", is_superuser=True))
    return client


def answer(response):
    return response.status_code, response.get("Location")


@pytest.mark.parametrize("lookalike", LOOKALIKES_OF_ONE)
# Not named "page": that is Playwright's fixture, and the name would pull these
# tests among the browser tests, after the ones that empty the database.
@pytest.mark.parametrize(
    "admin_page",
    ["change", "delete", "history", "preview", "versions", "publish?action=publish"],
)
def test_article_pages_answer_a_lookalike_id_as_a_missing_one(
    editor_client, admin_page, lookalike
):
    article = DraftArticleFactory(title="The one", pk=1)
    base = "/admin/articles/article"
    page, _, query = admin_page.partition("?")
    missing = editor_client.get(f"{base}/999999/{page}/?{query}")
    lookalike_answer = editor_client.get(f"{base}/{lookalike}/{page}/?{query}")

    assert editor_client.get(f"{base}/{article.pk}/{page}/?{query}").status_code == 200
    assert answer(lookalike_answer) == answer(missing)
    assert answer(missing)[0] in {302, 404}
    assert "The one" not in lookalike_answer.text


def full_width(pk: int) -> str:
    return "".join(chr(0xFF10 + int(digit)) for digit in str(pk))


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/admin/newsletter/edition/{}/change/", EditionFactory),
        ("/admin/newsletter/subscriber/{}/change/", SubscriberFactory),
        ("/admin/articles/author/{}/change/", AuthorFactory),
        ("/admin/auth/user/{}/change/", EditorFactory),
    ],
)
def test_other_admins_take_ascii_ids_only(editor_client, url, make):
    pk = make().pk
    assert editor_client.get(url.format(pk)).status_code == 200
    assert answer(editor_client.get(url.format(full_width(pk)))) == answer(
        editor_client.get(url.format(999999))
    )


def test_autosave_of_a_lookalike_id_is_not_found(editor_client):
    DraftArticleFactory(pk=1)
    response = editor_client.post(
        "/admin/articles/article/\uff11/autosave/",
        {"title": "Changed", "body": "Changed", "edit_token": "0"},
    )
    assert response.status_code == 404
    assert Article.objects.get(pk=1).title != "Changed"


def test_a_form_choice_by_lookalike_id_is_not_a_valid_choice(editor_client):
    first = AuthorFactory(pk=1)
    ArticleFactory(pk=5, slug="five", author=first)
    article = DraftArticleFactory(pk=7, author=AuthorFactory(pk=2))
    url = change_url(article)
    token = re.search(r'name="edit_token" value="(\d+)"', editor_client.get(url).text)

    response = editor_client.post(
        url,
        article_form(
            title=article.title,
            slug=article.slug,
            body=article.body,
            author="\uff11",
            related=["\uff15"],
            edit_token=token.group(1),
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["author"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert errors["related"] == ["“５” is not a valid value."]
    article.refresh_from_db()
    assert article.author_id == 2
    assert not article.related.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("007", 7),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        *[(lookalike, None) for lookalike in LOOKALIKES_OF_ONE],
        ("1_0", None),
        ("-1", None),
        ("", None),
        ("abc", None),
        (None, None),
        (3, 3),
    ],
)
def test_parse_id_reads_ascii_digits_only(text, expected):
    assert parse_id(text) == expected
