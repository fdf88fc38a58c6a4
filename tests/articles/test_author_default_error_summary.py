"""A failed save says what is wrong at the top of the form, each item a link
to its field (the author error used to be 1,500 px down the page)."""

import re

import pytest

from tests.articles.admin_forms import add_url, article_form

pytestmark = pytest.mark.django_db


def summary_of(page: str) -> str:
    match = re.search(r'<div class="errornote error-summary".*?</div>', page, re.S)
    assert match, "no error summary"
    return match.group(0)


def test_the_summary_links_each_field_in_error(editor_client):
    response = editor_client.post(add_url(), article_form(title="", author=""))

    assert response.status_code == 200
    summary = summary_of(response.text)
    assert "Not saved: 2 things to correct" in summary
    assert '<a href="#id_title" data-error-field="title">Title</a>' in summary
    assert '<a href="#id_author" data-error-field="author">Author</a>' in summary
    assert 'role="alert" tabindex="-1"' in summary


def test_the_summary_comes_before_the_form_and_the_old_note_is_hidden(
    editor_client,
):
    page = editor_client.post(add_url(), article_form(author="")).text

    assert page.index('id="error-summary"') < page.index('name="title"')
    assert "admin-error-summary.js" in page and "admin-errors.css" in page


def test_a_form_without_errors_has_no_summary(editor_client):
    assert 'id="error-summary"' not in editor_client.get(add_url()).text
