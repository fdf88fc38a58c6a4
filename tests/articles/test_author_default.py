"""An editor's login linked to an author: new articles are credited to the
signed-in person without picking one; `make run`'s local editor is linked."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Author
from tests.articles.admin_forms import add_url, article_form
from tests.factories import AuthorFactory

pytestmark = pytest.mark.django_db


def selected_author(page: str) -> str | None:
    select = re.search(r'<select name="author".*?</select>', page, re.S).group(0)
    chosen = re.search(r'<option value="(\d+)" selected>', select)
    return chosen.group(1) if chosen else None


def test_a_new_article_starts_with_the_editors_own_author(editor, editor_client):
    mine = AuthorFactory(name="Edna Editor", user=editor)

    page = editor_client.get(add_url()).text

    assert selected_author(page) == str(mine.pk)
    assert "Edna Editor" in page


def test_an_editor_without_an_author_picks_one(editor_client):
    AuthorFactory(name="Someone Else")

    assert selected_author(editor_client.get(add_url()).text) is None


def test_an_editor_may_still_credit_someone_else(editor, editor_client, now):
    AuthorFactory(user=editor)
    guest = AuthorFactory(name="Guest Writer")

    editor_client.post(add_url(), article_form(author=guest.pk))

    assert Article.objects.get().author == guest


def test_the_author_page_links_a_login_and_says_where_review_mail_goes(
    editor_client, editor
):
    author = AuthorFactory()
    url = reverse("admin:articles_author_change", args=[author.pk])

    page = editor_client.get(url).text

    assert 'name="user"' in page
    assert "a login without one is not told by mail" in page


def test_the_local_editor_is_linked_to_an_author(settings):
    settings.DEBUG = True

    call_command("create_local_editor", stdout=StringIO())
    out = StringIO()
    call_command("create_local_editor", stdout=out)

    author = Author.objects.get(user__username="editor")
    assert author.slug == "local-editor"
    assert Author.objects.filter(slug="local-editor").count() == 1
    assert "writing as Local Editor" in out.getvalue()
