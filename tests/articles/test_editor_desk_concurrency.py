"""Two editors pressing Save at the same moment, on PostgreSQL (row locks)."""

import pytest
from django.test import Client

from articles.roles import apply_role_permissions
from desk import versions
from tests.articles.admin_forms import change_url
from tests.articles.test_editor_desk import form_of, token_in
from tests.factories import DraftArticleFactory, EditorFactory
from tests.newsletter.test_concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (concurrent writers)")


def test_of_two_simultaneous_saves_one_is_refused_and_both_texts_are_kept():
    apply_role_permissions()  # a transactional test flushed the migration's groups
    article = DraftArticleFactory(body="The first draft.")
    clients = []
    for name in ["edna", "bea"]:
        client = Client()
        client.force_login(EditorFactory(username=name))
        clients.append(client)
    token = token_in(clients[0].get(change_url(article)))
    texts = ["Edna's text.", "Bea's text."]

    def save(index):
        return (
            clients[index]
            .post(
                change_url(article),
                form_of(article, body=texts[index], edit_token=token),
            )
            .status_code
        )

    statuses = run_together(2, save)

    assert sorted(statuses) == [200, 302]  # one saved, one refused and shown back
    article.refresh_from_db()
    saved = texts[statuses.index(302)]
    refused = texts[statuses.index(200)]
    assert article.body == saved
    kept = [version.field_dict["body"] for version in versions.versions_of(article)]
    assert kept[:2] == [refused, saved]
