"""Exactly once under concurrency (PostgreSQL: real row locks): two requests
submitting one draft at once make one step, and two workers running one
step's mail at once send it once."""

import threading
import time

import pytest
from django.db import connection

from articles.models import ReviewStep
from articles.roles import apply_role_permissions
from desk import reviews
from tests.factories import DraftArticleFactory, EditorFactory, WriterFactory


@pytest.fixture
def people(transactional_db, is_postgres):
    if not is_postgres:
        pytest.skip("row locks are PostgreSQL's (SQLite serialises every write)")
    apply_role_permissions()  # a transactional test flushed the migration's groups
    EditorFactory(username="edna")
    return WriterFactory(username="wanda")


def at_once(target, count=2):
    start = threading.Barrier(count)
    errors = []

    def run():
        try:
            start.wait()
            target()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []


def test_two_submissions_at_once_make_one_step_and_one_mail(people, mailoutbox):
    draft = DraftArticleFactory(author=people.author)

    at_once(lambda: reviews.review_submit(article=draft, user=people))

    assert ReviewStep.objects.filter(article=draft).count() == 1
    assert len(mailoutbox) == 1


def test_two_workers_on_one_step_send_one_mail(people, mailoutbox, monkeypatch):
    draft = DraftArticleFactory(author=people.author)
    step = ReviewStep.objects.create(article=draft, kind="submitted", by=people)
    send = reviews.review_mail.send_step_mail

    def slow_send(**kwargs):
        time.sleep(0.3)  # the second worker arrives while the first sends
        return send(**kwargs)

    monkeypatch.setattr(reviews.review_mail, "send_step_mail", slow_send)

    at_once(lambda: reviews.review_step_mail(step_id=step.pk))

    assert len(mailoutbox) == 1
