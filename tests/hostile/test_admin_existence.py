"""Review 2, item 12: to a writer, what they may not see does not exist.

Someone else's draft or scheduled article, and any newsletter edition, must
answer every admin URL exactly as an id that names nothing: the same status,
the same redirect, never its slug or title. Django's "view on site" shortcut
(``/admin/r/<content type>/<id>/``) redirected to any object's page.
"""

import re

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from articles.models import Article
from tests.factories import NOW, ScheduledArticleFactory
from tests.hostile.conftest import SECRET_SLUG, valid_values
from tests.hostile.urls import admin_patterns

pytestmark = pytest.mark.django_db

MISSING = 987654


def on_site(obj, object_id=None):
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, object_id or obj.pk])


@pytest.fixture
def scheduled(site):
    with time_machine.travel(NOW, tick=False):
        return ScheduledArticleFactory(
            title="Zebra scheduled", slug="zebra-scheduled", author=site.secret.author
        )


def test_view_on_site_of_another_writers_draft_is_not_found(
    writer_client, site, scheduled
):
    for hidden in (site.secret, scheduled):
        answer = writer_client.get(on_site(hidden))
        missing = writer_client.get(on_site(hidden, MISSING))
        assert answer.status_code == missing.status_code == 404
        assert hidden.slug not in answer.text
        assert "Location" not in answer


def test_view_on_site_of_an_edition_is_not_found_for_a_writer(writer_client, site):
    answer = writer_client.get(on_site(site.edition))
    missing = writer_client.get(on_site(site.edition, MISSING))
    assert answer.status_code == missing.status_code == 404


def test_view_on_site_still_takes_whoever_may_see_the_object_to_its_page(
    writer_client, superuser_client, site
):
    own = Article.objects.create(
        title="Own draft", slug="own-draft", body="Text.", author=site.writer.author
    )
    assert writer_client.get(on_site(own))["Location"].endswith("/own-draft/")
    assert writer_client.get(on_site(site.live))["Location"].endswith("/live-advice/")
    assert superuser_client.get(on_site(site.secret))["Location"].endswith(
        f"/{SECRET_SLUG}/"
    )
    assert superuser_client.get(on_site(site.edition)).status_code == 302


def _ids_replaced(text: str, *ids) -> str:
    for value in ids:
        text = re.sub(rf"\b{value}\b", "ID", text)
    return text


def _id_patterns():
    return [
        p for p in admin_patterns() if {"object_id", "content_type_id"} & {*p.params}
    ]


@pytest.mark.parametrize("pattern", _id_patterns(), ids=lambda p: p.name or str(p))
@pytest.mark.parametrize("hidden_kind", ["draft", "edition", "subscriber"])
def test_every_admin_url_answers_a_hidden_object_as_a_missing_one(
    writer_client, site, pattern, hidden_kind
):
    hidden = {
        "draft": site.secret,
        "edition": site.edition,
        "subscriber": site.subscriber,
    }[hidden_kind]
    model = type(hidden)
    if pattern.model not in {None, model}:
        return
    values = valid_values(pattern, site)
    values["content_type_id"] = ContentType.objects.get_for_model(model).pk
    answers = []
    for object_id in (hidden.pk, MISSING):
        response = writer_client.get(pattern.path({**values, "object_id": object_id}))
        body = response.content.decode(errors="replace")
        assert SECRET_SLUG not in body and SECRET_SLUG not in response.get(
            "Location", ""
        )
        answers.append(
            (
                response.status_code,
                _ids_replaced(response.get("Location", ""), hidden.pk, MISSING),
            )
        )
    assert answers[0] == answers[1], pattern.path(values)
    if not isinstance(hidden, Article):
        assert answers[0][0] in {302, 403, 404}
