"""The editor's import pages, through the Django test client: upload, dry
run, go-ahead, progress; bad files refused with nothing written; only
editors let in (subscriber_imports/pages.py)."""

import pytest
from django.urls import reverse

from newsletter.models import Subscriber
from subscriber_imports.models import SubscriberImport
from tests.factories import EditorFactory, SubscriberFactory, WriterFactory
from tests.newsletter.import_helpers import (  # noqa: F401 (fixture)
    fixture_bytes,
    private_files,
    upload_of,
)

pytestmark = pytest.mark.django_db
ADD = reverse("admin:subscriber_imports_subscriberimport_add")


def detail(source_id) -> str:
    return reverse("admin:subscriber_imports_subscriberimport_change", args=[source_id])


@pytest.fixture
def editor_client(client):
    client.force_login(EditorFactory())
    return client


def post_file(client, content: bytes, name="list.csv", statement=""):
    return client.post(
        ADD, {"file": upload_of(content, name), "consent_statement": statement}
    )


def test_editor_uploads_sees_the_dry_run_then_imports(
    editor_client, django_capture_on_commit_callbacks, now, tmp_path
):
    SubscriberFactory(email="dora@example.com", status="unsubscribed")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(
            editor_client, fixture_bytes("mailchimp_subscribed.csv"), "audience.csv"
        )
    source = SubscriberImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(source.pk)
    # Kept privately, outside MEDIA_ROOT.
    assert (tmp_path / "private" / source.file.name).exists()

    page = editor_client.get(detail(source.pk))
    html = page.content.decode()
    assert "Dry run: what the import would do" in html
    assert "row 5: ana.lima@EXAMPLE.com" in html
    assert "Import: 4 new subscribers" in html
    assert Subscriber.objects.count() == 1  # nothing written yet

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(detail(source.pk))
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.status == SubscriberImport.Status.DONE
    assert Subscriber.objects.filter(source_import=source).count() == 4
    assert Subscriber.objects.get(email="dora@example.com").status == "unsubscribed"
    html = editor_client.get(detail(source.pk)).content.decode()
    assert "All 8 rows done" in html
    assert 'http-equiv="refresh"' not in html

    # A second go-ahead changes nothing.
    editor_client.post(detail(source.pk))
    assert Subscriber.objects.filter(source_import=source).count() == 4


def test_progress_page_reloads_and_shows_rows_done_and_time_left(editor_client, now):
    from datetime import timedelta

    source = SubscriberImport.objects.create(
        file_name="big.csv",
        status=SubscriberImport.Status.IMPORTING,
        total_rows=100_000,
        rows_done=25_000,
        started_at=now - timedelta(seconds=15),
    )
    html = editor_client.get(detail(source.pk)).content.decode()

    assert '<meta http-equiv="refresh" content="2">' in html
    assert "25000 of 100000 rows done" in html
    assert "less than a minute left" in html


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"PK\x03\x04rest-of-a-zip", "list.xlsx", "Excel workbook"),
        (b"email\nok@example.com\n\x00\x01\x02binary", "list.csv", "NUL bytes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "list.csv", "binary file"),
        (b"name,phone\nAna,123\n", "list.csv", "No address column"),
        (b"", "list.csv", "file is empty"),
        (b"email\n", "list.csv", "no rows"),
    ],
)
def test_bad_files_are_refused_clearly_and_nothing_is_stored(
    editor_client, content, name, message, tmp_path
):
    response = post_file(editor_client, content, name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SubscriberImport.objects.exists()
    assert not Subscriber.objects.exists()
    assert not any((tmp_path / "private").rglob("*"))


def test_a_file_over_the_size_limit_is_refused(editor_client, settings):
    settings.NEWSLETTER_IMPORT_MAX_BYTES = 100
    response = post_file(editor_client, b"email\n" + b"a@example.com\n" * 20)

    assert response.status_code == 400
    assert "the largest accepted is 100" in response.content.decode()
    assert not SubscriberImport.objects.exists()


def test_a_problem_deep_in_the_file_fails_the_dry_run_and_writes_nothing(
    editor_client, django_capture_on_commit_callbacks
):
    content = b"email\n" + b"ok@example.com\n" * 6000 + b"bad\x00row@example.com\n"
    with django_capture_on_commit_callbacks(execute=True):
        post_file(editor_client, content)
    source = SubscriberImport.objects.get()

    assert source.status == SubscriberImport.Status.FAILED
    assert "NUL bytes" in source.error
    assert not source.file
    assert not Subscriber.objects.exists()
    html = editor_client.get(detail(source.pk)).content.decode()
    assert "NUL bytes" in html
    assert editor_client.post(detail(source.pk)).status_code == 302
    assert not Subscriber.objects.exists()


def test_writers_may_not_import(client):
    client.force_login(WriterFactory())
    source = SubscriberImport.objects.create(file_name="x.csv")

    assert client.get(ADD).status_code == 403
    assert post_file(client, b"email\na@example.com\n").status_code == 403
    assert client.get(detail(source.pk)).status_code == 403
    assert client.post(detail(source.pk)).status_code == 403
    assert SubscriberImport.objects.count() == 1


@pytest.mark.parametrize("bad_id", ["999999", "１", "abc", "99999999999999999999"])
def test_odd_ids_are_not_found_not_errors(editor_client, bad_id):
    url = f"/admin/subscriber_imports/subscriberimport/{bad_id}/change/"
    assert editor_client.get(url).status_code in (302, 404)
    assert editor_client.post(url).status_code in (302, 404)


def test_subscriber_admin_shows_the_import_it_came_from(editor_client):
    source = SubscriberImport.objects.create(file_name="audience.csv")
    subscriber = SubscriberFactory(source_import=source)
    url = reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])

    html = editor_client.get(url).content.decode()
    assert "Imported by" in html
    assert "audience.csv" in html
    changelist = reverse("admin:newsletter_subscriber_changelist")
    response = editor_client.get(f"{changelist}?source_import__id__exact={source.pk}")
    assert response.status_code == 200
