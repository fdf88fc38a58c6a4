"""The task results page reads like the rest of the admin: named "Background
tasks", its times worded by the desk's one rule ("15 Jun 2026, 13:00 BST")."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from desk.moments import when
from tests.factories import NOW, EditorFactory
from tests.taskqueue.tasks import always_fails, records_a_run

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:django_tasks_database_dbtaskresult_changelist")


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(EditorFactory(username="edna"))
    return client


@pytest.fixture(autouse=True)
def london(settings):
    settings.TIME_ZONE = "Europe/London"


def test_the_page_is_named_like_the_rest_of_the_admin(editor_client):
    index = editor_client.get(reverse("admin:index")).text
    page = editor_client.get(QUEUE).text

    assert "Tasks Database Backend" not in index + page
    assert "Background tasks" in index
    assert "Background tasks" in page  # the breadcrumbs


def test_times_are_worded_as_everywhere_in_the_desk(editor_client, db_tasks):
    with time_machine.travel(NOW, tick=False):
        records_a_run.enqueue("first")
        db_tasks.run()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        page = editor_client.get(QUEUE).text

    assert when(NOW, short=True) == "15 Jun 2026, 13:00 BST"
    assert "15 Jun 2026, 13:00 BST" in page
    assert "p.m." not in page and "a.m." not in page


def test_a_task_result_page_words_its_times_the_same_way(editor_client, db_tasks):
    with time_machine.travel(NOW, tick=False):
        always_fails.enqueue()
        db_tasks.run()
    row = db_tasks.rows()[0]

    page = editor_client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[row.pk])
    ).text

    assert "15 Jun 2026, 13:00 BST" in page
    assert "p.m." not in page and "a.m." not in page
