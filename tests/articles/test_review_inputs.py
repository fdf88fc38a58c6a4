"""Hostile input on the editor's side: previews limited per editor, staged
cover pictures usable only by whoever uploaded them."""

from unittest import mock

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

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
    with mock.patch("articles.editor_views.time", create=True) as fake:
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
