"""The desk's own admin pages find their object one way
(desk/admin_objects.py): not found (404) before not allowed (403)."""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from articles.models import Article
from desk.admin_objects import admin_object_or_404
from tests.factories import ArticleFactory, DraftArticleFactory, WriterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer_request():
    request = RequestFactory().get("/")
    request.user = WriterFactory(username="wanda")
    return request


def find(request, object_id, permission):
    return admin_object_or_404(
        admin.site.get_model_admin(Article),
        request,
        object_id,
        permission=permission,
        not_found="No article matches this address.",
    )


def test_someone_elses_draft_is_not_found_rather_than_forbidden(writer_request):
    draft = DraftArticleFactory()

    with pytest.raises(Http404, match="No article matches this address."):
        find(writer_request, draft.pk, "view")


@pytest.mark.parametrize("object_id", ["abc", "1.5", "999999"])
def test_an_address_that_names_no_article_is_not_found(writer_request, object_id):
    with pytest.raises(Http404):
        find(writer_request, object_id, "view")


def test_a_writers_live_article_is_theirs_to_read_but_not_to_change(
    writer_request,
):
    live = ArticleFactory(author=writer_request.user.author)

    assert find(writer_request, live.pk, "view") == live
    with pytest.raises(PermissionDenied):
        find(writer_request, live.pk, "change")


def test_an_unknown_permission_is_a_programming_error(writer_request):
    with pytest.raises(ValueError):
        find(writer_request, ArticleFactory().pk, "delete_everything")
