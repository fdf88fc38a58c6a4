"""The editor's desk offers what the user may do (review items 7 and 9a)."""

import pytest

from tests.articles.admin_forms import change_url
from tests.articles.test_editor_desk import form_of
from tests.factories import ArticleFactory, DraftArticleFactory, ScheduledArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [ArticleFactory, ScheduledArticleFactory])
def test_writer_sees_no_submit_button_on_their_published_article(
    writer_client, writer, now, factory
):
    own = factory(author=writer.author)

    page = writer_client.get(change_url(own))

    assert page.status_code == 200  # their article, read-only
    assert 'name="_submit_review"' not in page.text
    # The button would have answered this:
    submitted = writer_client.post(change_url(own), form_of(own, _submit_review="1"))
    assert submitted.status_code == 403


def test_writer_still_submits_their_own_draft(writer_client, writer, now):
    own = DraftArticleFactory(author=writer.author)

    page = writer_client.get(change_url(own))

    assert 'name="_submit_review"' in page.text
    submitted = writer_client.post(change_url(own), form_of(own, _submit_review="1"))
    assert submitted.status_code == 302
