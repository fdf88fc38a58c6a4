import pytest
from django.test import Client

from tests.factories import AuthorFactory, EditorFactory, WriterFactory


@pytest.fixture
def editor():
    return EditorFactory(username="edna")


@pytest.fixture
def writer():
    return WriterFactory(username="wanda")


@pytest.fixture
def other_writer():
    return WriterFactory(username="walt")


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor):
    return _logged_in(editor)


@pytest.fixture
def writer_client(writer):
    return _logged_in(writer)


@pytest.fixture
def other_writer_client(other_writer):
    return _logged_in(other_writer)


@pytest.fixture
def author():
    return AuthorFactory(name="Ada Byline", slug="ada-byline")
