"""Review 2, item 11: one's own successful login clears only one's own failures.

The lock counts every failure from an address, whatever the usernames. If a
success wiped them all, anyone with an account could guess at an editor's
password forever, logging in as themselves between rounds.
"""

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.factories import NOW, EditorFactory, WriterFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # UserFactory's


def log_in(client, username, password):
    return client.post(
        reverse("admin:login"), {"username": username, "password": password}
    )


def test_a_writer_cannot_reset_the_lock_by_logging_in_between_guesses(settings):
    editor = EditorFactory(username="editor")
    WriterFactory(username="writer")
    writer = Client(REMOTE_ADDR="203.0.113.9")
    answers = []
    with time_machine.travel(NOW, tick=False):
        for _ in range(3):
            for _ in range(settings.AXES_FAILURE_LIMIT - 1):
                answers.append(log_in(writer, "editor", "a guess").status_code)
            writer.cookies.clear()
            answers.append(log_in(writer, "writer", PASSWORD).status_code)
        writer.cookies.clear()
        right = log_in(writer, "editor", PASSWORD)

    # Four failures, the writer's own login, then the fifth failure locks.
    assert answers[: settings.AXES_FAILURE_LIMIT] == [200] * 4 + [302]
    assert answers[settings.AXES_FAILURE_LIMIT] == 429
    assert right.status_code == 429
    assert str(editor.pk) != writer.session.get(SESSION_KEY)


def test_a_success_clears_that_usernames_own_failures(settings):
    EditorFactory(username="editor")
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(NOW, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            log_in(client, "editor", "a typo")
        assert log_in(client, "editor", PASSWORD).status_code == 302
        client.cookies.clear()
        # The four typos are forgiven: four more are allowed before the lock.
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert log_in(client, "editor", "a typo").status_code == 200
        assert log_in(client, "editor", PASSWORD).status_code == 302


def test_a_success_leaves_other_usernames_failures_from_that_address():
    EditorFactory(username="editor")
    WriterFactory(username="writer")
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(NOW, tick=False):
        log_in(client, "editor", "a guess")
        log_in(client, "writer", "a typo")
        assert log_in(client, "writer", PASSWORD).status_code == 302

    assert list(AccessAttempt.objects.values_list("username", "ip_address")) == [
        ("editor", "203.0.113.9")
    ]
