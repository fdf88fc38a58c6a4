"""Seeded figures for the dashboard's tests, all at NOW (tests.factories).

The editor, the two writers and their logged-in clients are the article
desk's (tests/articles/conftest.py), the same people in both."""

import pytest
from django.core.cache import cache

from tests.articles import conftest as desk
from tests.dashboard.seed import Seeded, seed

editor = desk.editor
writer = desk.writer
other_writer = desk.other_writer
editor_client = desk.editor_client
writer_client = desk.writer_client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard keeps sums a minute (dashboard/memo.py): not from one
    test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def seeded(now, writer, other_writer) -> Seeded:
    return seed(writer=writer, other_writer=other_writer, now=now)
