"""An imported subscriber's own page says what their consent rests on: the
file's record and the editor's statement stored with the import."""

import json

import pytest
from django.urls import reverse

from newsletter.models import Subscriber
from subscriber_imports import run
from subscriber_imports.upload import import_upload
from tests.factories import EditorFactory
from tests.newsletter.import_helpers import (  # noqa: F401 (fixture)
    private_files,
    upload_of,
)

pytestmark = pytest.mark.django_db
STATEMENT = "Readers of our 2025 career fair who ticked the digest box on paper."


def imported_subscriber(content: bytes, statement: str) -> Subscriber:
    source = import_upload(
        uploaded=upload_of(content), statement=statement, user=EditorFactory()
    )
    run.dry_run_import.call(import_id=source.pk)
    source.refresh_from_db()
    assert run.import_start(source=source)
    run.run_import.call(import_id=source.pk)
    return Subscriber.objects.get()


def test_the_data_page_and_download_give_the_editors_statement(client):
    subscriber = imported_subscriber(b"email\r\nfair@example.com\r\n", STATEMENT)
    assert subscriber.status == Subscriber.Status.CONFIRMED

    kwargs = {"token": subscriber.token}
    data = json.loads(
        client.get(reverse("newsletter:preferences-data-json", kwargs=kwargs)).content
    )
    page = client.get(reverse("newsletter:preferences-data", kwargs=kwargs)).text

    assert STATEMENT in data["consent"]["text"]
    assert STATEMENT in page
    assert "brought from another newsletter service" in page


def test_a_pending_import_says_it_waits_for_confirmation(client):
    subscriber = imported_subscriber(b"email\r\nnew@example.com\r\n", "")
    assert subscriber.status == Subscriber.Status.PENDING

    kwargs = {"token": subscriber.token}
    data = json.loads(
        client.get(reverse("newsletter:preferences-data-json", kwargs=kwargs)).content
    )

    assert data["consent"]["text"] == subscriber.source != ""
