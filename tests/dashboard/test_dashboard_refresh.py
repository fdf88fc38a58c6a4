"""The worker makes the dashboard's costly sums before they expire
(dashboard/tasks.py), so an editor's request finds them ready and new
figures reach the dashboard within a refresh."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from audience.models import ArticleDay
from dashboard.memo import FRESH_SECONDS, REFRESH_SECONDS
from dashboard.tasks import keep_dashboard_sums, sums_refresh
from taskqueue.policy import RECURRING
from tests.dashboard.test_dashboard_queries import EDITOR, KEPT

pytestmark = pytest.mark.django_db


def test_the_sums_are_made_again_before_they_expire():
    assert keep_dashboard_sums in RECURRING
    assert REFRESH_SECONDS < FRESH_SECONDS


def test_after_a_refresh_a_request_reads_every_costly_sum_kept(
    editor_client, seeded, django_assert_num_queries
):
    editor_client.get("/admin/")
    cache.clear()
    sums_refresh()

    with django_assert_num_queries(EDITOR - KEPT):
        answer = editor_client.get("/admin/")

    assert answer.status_code == 200


def test_a_refresh_shows_figures_that_came_since(editor_client, seeded):
    editor_client.get("/admin/")  # the most-read sums are kept
    today = timezone.localdate()
    ArticleDay.objects.update_or_create(
        day=today - timedelta(days=1), article=seeded.old, defaults={"views": 99_999}
    )
    kept = editor_client.get("/admin/").content.decode()

    sums_refresh()
    fresh = editor_client.get("/admin/").content.decode()

    assert "99,999" not in kept and "99999" not in kept
    assert "99,999" in fresh or "99999" in fresh
