"""Seeded figures for the dashboard's tests, all at NOW (tests.factories)."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.dashboard.seed import Seeded, seed
from tests.factories import EditorFactory, WriterFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard keeps sums a minute (dashboard/memo.py): not from one
    test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor():
    return EditorFactory(username="edna")


@pytest.fixture
def writer():
    return WriterFactory(username="wanda")


@pytest.fixture
def other_writer():
    return WriterFactory(username="walt")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor):
    return logged_in(editor)


@pytest.fixture
def writer_client(writer):
    return logged_in(writer)


@pytest.fixture
def seeded(now, writer, other_writer) -> Seeded:
    return seed(writer=writer, other_writer=other_writer, now=now)
