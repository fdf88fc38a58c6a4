"""Hostile input on the editor's side: previews limited per editor, staged
cover pictures usable only by whoever uploaded them."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests.articles.admin_forms import add_url, article_form
from tests.articles.image_files import image_bytes
from tests.factories import NOW, EditorFactory

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("admin:articles_article_live_preview")


@pytest.fixture(autouse=True)
def _counts():
    """Rate-limit counts live in the cache: none from another test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


# -- Preview rate limit ------------------------------------------------------------


@pytest.fixture
def server_time():
    """The preview's own clock, moved on by what each render should cost."""
    with mock.patch("desk.editor_views.time", create=True) as fake:
        yield fake


def preview(client, body="Hello", *, costs=0.0, server_time=None):
    if server_time is not None:
        # The render "takes" ``costs`` seconds: the clock moves during it.
        server_time.monotonic.side_effect = iter([0.0, costs]).__next__
    return client.post(PREVIEW_URL, {"body": body})


def test_slow_previews_use_up_the_editors_share_then_429_with_a_message(
    editor_client, settings, clock, server_time
):
    settings.ARTICLES_PREVIEW_BUDGET = "2/minute"  # seconds of server time
    answers = [
        preview(editor_client, "[" * 99_000, costs=0.9, server_time=server_time)
        for _ in range(3)
    ]
    refused = preview(editor_client, costs=0.01, server_time=server_time)

    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert refused.status_code == 429
    # NOW is a minute's start: the whole minute is left to wait.
    assert refused["Retry-After"] == "60"
    assert refused.json()["error"] == (
        "Preview paused: your previews used their share of the server's time. "
        "It comes back in 60 seconds."
    )


def test_quick_previews_count_at_least_50_ms_each(
    editor_client, settings, clock, server_time
):
    settings.ARTICLES_PREVIEW_BUDGET = "1/minute"
    answers = [
        preview(editor_client, costs=0.001, server_time=server_time).status_code
        for _ in range(21)
    ]
    assert answers == [200] * 20 + [429]


def test_the_preview_share_is_per_editor_and_starts_over(
    editor_client, settings, clock, server_time
):
    settings.ARTICLES_PREVIEW_BUDGET = "1/minute"
    other = Client()  # the same address as editor_client: per user, not per IP
    other.force_login(EditorFactory(username="otto"))

    assert preview(editor_client, costs=1.0, server_time=server_time).status_code == 200
    assert preview(editor_client, costs=0.0, server_time=server_time).status_code == 429
    assert preview(other, costs=0.0, server_time=server_time).status_code == 200
    clock.shift(60)
    assert preview(editor_client, costs=0.0, server_time=server_time).status_code == 200


# -- Staged covers belong to their uploader ----------------------------------------


def refused_with_cover(client):
    """Post a new article with a good cover but no description: the form is
    refused and the cover kept; the token the page carries."""
    cover = SimpleUploadedFile("desk.jpg", image_bytes(), content_type="image/jpeg")
    refused = client.post(add_url(), article_form(cover_image=cover, cover_alt=""))
    assert refused.status_code == 200
    return refused.context["adminform"].form.data["cover_staged"]


def cover_errors(response) -> list[str]:
    return response.context["adminform"].form.errors.get("cover_image", [])


LOST = (
    "The picture chosen earlier is no longer kept (it is kept for a day, for "
    "the person who chose it): choose the file again."
)


def test_another_writers_staged_cover_is_refused_like_an_unknown_one(
    writer_client, other_writer_client
):
    token = refused_with_cover(writer_client)

    stolen = other_writer_client.post(
        add_url(),
        article_form(title="Mine now", cover_alt="A desk", cover_staged=token),
    )

    assert stolen.status_code == 200
    assert cover_errors(stolen) == [LOST]
    assert token not in stolen.text  # not offered again, nor its picture
    assert "The picture you chose is kept" not in stolen.text
    assert not Article.objects.exists()
    # The uploader still has it.
    saved = writer_client.post(
        add_url(), article_form(cover_alt="A desk", cover_staged=token)
    )
    assert saved.status_code == 302
    assert Article.objects.get().cover_image.name.startswith("covers/")


def test_an_expired_staged_cover_is_a_clear_error_not_a_save_without_it(
    editor_client, author
):
    with time_machine.travel(NOW, tick=False):
        token = refused_with_cover(editor_client)
    with time_machine.travel(NOW + timedelta(hours=25), tick=False):
        late = editor_client.post(
            add_url(),
            article_form(author=author.pk, cover_alt="A desk", cover_staged=token),
        )

    assert late.status_code == 200
    assert cover_errors(late) == [LOST]
    assert not Article.objects.exists()


def test_a_new_file_replaces_a_lost_staged_cover_without_complaint(
    editor_client, author
):
    cover = SimpleUploadedFile("new.jpg", image_bytes(), content_type="image/jpeg")
    saved = editor_client.post(
        add_url(),
        article_form(
            author=author.pk,
            cover_alt="A desk",
            cover_image=cover,
            cover_staged="forged-token",
        ),
    )

    assert saved.status_code == 302
    assert Article.objects.get().cover_image.name.startswith("covers/")
