"""The database going away under a sign-up: the row and its confirmation
task are kept together or not at all, and a sign-up that was not kept says
so (503, Retry-After) with the address still in the form.

The failures are injected here; tests/deploy/test_resilience_postgres.py
stops a real PostgreSQL under load.
"""

import shutil
import subprocess
from unittest import mock

import pytest
from django.db import OperationalError
from django_tasks_db.models import DBTaskResult

from newsletter import subscribers
from newsletter.models import Subscriber
from newsletter.tasks import send_confirmation
from tests.articles.test_grow_invite_html import vnu_jar
from tests.npm import need

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_sign_up_limit(settings):
    settings.NEWSLETTER_RATE_LIMIT = "1000/hour"


GONE = OperationalError("terminating connection due to administrator command")


def test_a_sign_up_the_database_cannot_take_says_to_retry_with_the_address_kept(
    client, settings
):
    settings.RETRY_AFTER_SECONDS = 30
    with mock.patch.object(subscribers, "subscriber_signup", side_effect=GONE):
        response = client.post(
            "/newsletter/",
            {"email": "reader@example.com", "source": "/articles/a-page/"},
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Your sign-up was not saved yet" in html
    assert 'value="reader@example.com"' in html  # sent again with one click
    assert 'action="/newsletter/"' in html


def test_the_retry_page_passes_the_nu_html_checker(client, tmp_path):
    if shutil.which("java") is None:
        need("java", "apt-get install default-jre-headless")
    with mock.patch.object(subscribers, "subscriber_signup", side_effect=GONE):
        response = client.post("/newsletter/", {"email": "reader@example.com"})
    page = tmp_path / "signup-unavailable.html"
    page.write_text(response.content.decode(), encoding="utf-8")
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def test_the_row_and_its_confirmation_task_are_kept_together_or_not_at_all(
    client, db_tasks
):
    """The database fails between the row and the task: neither is kept."""
    with mock.patch.object(
        type(send_confirmation), "enqueue", autospec=True, side_effect=GONE
    ):
        response = client.post("/newsletter/", {"email": "reader@example.com"})
    assert response.status_code == 503
    assert not Subscriber.objects.exists()
    assert not DBTaskResult.objects.exists()

    # The retry the page asks for keeps both.
    response = client.post("/newsletter/", {"email": "reader@example.com"})
    assert response.status_code == 200
    (subscriber,) = Subscriber.objects.all()
    (task,) = db_tasks.rows(send_confirmation)
    assert task.args_kwargs["kwargs"]["subscriber_id"] == subscriber.pk
