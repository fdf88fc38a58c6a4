"""Review 2, item 14: staff-only 500s, each now a clear 4xx (or Django's
"invalid lookup" answer for a list), and nothing changed."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article
from tests.articles.admin_forms import article_form, change_url
from tests.factories import NOW

pytestmark = pytest.mark.django_db

TASKS = "admin:django_tasks_database_dbtaskresult_changelist"


@pytest.mark.parametrize(
    ("url", "parameter", "value"),
    [
        ("admin:newsletter_edition_changelist", "started_at__year", "99999"),
        ("admin:newsletter_edition_changelist", "scheduled_for__year", "-5"),
        (TASKS, "started_at__year", "99999"),
        (TASKS, "enqueued_at__year", "99999"),
        (TASKS, "run_after__year", "99999"),
    ],
)
def test_a_year_no_date_holds_is_an_invalid_lookup(
    superuser_client, url, parameter, value
):
    path = reverse(url)
    response = superuser_client.get(path, {parameter: value})
    assert response.status_code == 302
    assert response["Location"] == f"{path}?e=1"  # Django's "invalid lookup"


@pytest.mark.parametrize(
    "query",
    [
        {"action": "schedule", "at": "9999-12-31T23:59:59-14:00"},
        {
            "action": "schedule",
            "at": "9999-12-31T23:00:00+00:00",
            "tz": "Pacific/Kiritimati",
        },
        {"action": "schedule", "at": "0001-01-01T00:00:00+14:00"},
    ],
)
def test_a_publish_time_beyond_the_calendar_is_a_bad_request(
    superuser_client, site, query
):
    url = reverse("admin:articles_article_publish", args=[site.secret.pk])
    for method in ("get", "post"):
        response = getattr(superuser_client, method)(url, query)
        assert response.status_code == 400
        assert "not a date and time" in response.text
    site.secret.refresh_from_db()
    assert site.secret.status == Article.Status.DRAFT


def test_the_last_publish_time_shown_in_the_farthest_zone_still_works(
    superuser_client, site
):
    url = reverse("admin:articles_article_publish", args=[site.secret.pk])
    response = superuser_client.get(
        url,
        {
            "action": "schedule",
            "at": "9998-12-31T23:00:00+00:00",
            "tz": "Pacific/Kiritimati",
        },
    )
    assert response.status_code == 200
    assert "9999" in response.text  # the editor's local date, a year later


@pytest.mark.parametrize("author", ["abc", "-1", "9" * 20, "1.5"])
def test_an_author_that_is_not_an_id_is_a_form_error(superuser_client, site, author):
    response = superuser_client.post(
        change_url(site.secret),
        article_form(title="New title", slug=site.secret.slug, body="B", author=author),
    )
    assert response.status_code == 200
    assert "author" in response.context["adminform"].form.errors
    site.secret.refresh_from_db()
    assert site.secret.title != "New title"


@pytest.mark.parametrize(
    ("url", "action"),
    [
        ("admin:newsletter_subscriber_changelist", "export_csv"),
        ("admin:articles_article_changelist", "publish_now"),
    ],
)
@pytest.mark.parametrize("selected", ["abc", "9" * 20, "1.5", "é"])
def test_an_action_on_ids_that_are_not_ids_is_a_bad_request(
    superuser_client, site, url, action, selected
):
    for extra in ({}, {"post": "yes"}, {"index": "0"}):
        response = superuser_client.post(
            reverse(url),
            {"action": action, "_selected_action": [selected], **extra},
        )
        assert response.status_code == 400
    site.secret.refresh_from_db()
    assert site.secret.status == Article.Status.DRAFT


def test_axes_clean_up_action_deletes_expired_attempts(superuser_client, site):
    """Found by the sweep: axes' own action answered 500 from the admin list."""
    from axes.models import AccessAttempt

    def attempt(address, age):
        row = AccessAttempt.objects.create(
            username="someone", ip_address=address, failures_since_start=3
        )
        AccessAttempt.objects.filter(pk=row.pk).update(attempt_time=NOW - age)
        return row

    old = attempt("198.51.100.1", timedelta(days=1))
    recent = attempt("198.51.100.2", timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        response = superuser_client.post(
            reverse("admin:axes_accessattempt_changelist"),
            {"action": "cleanup_expired_attempts", "_selected_action": [old.pk]},
        )

    assert response.status_code == 302
    assert list(AccessAttempt.objects.all()) == [recent]
