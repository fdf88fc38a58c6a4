"""Editors see the figures and set how long they are kept; nobody edits
counts, and writers see none of it."""

import pytest

from audience.models import AudienceSettings, SiteDay
from tests.factories import EditorFactory, WriterFactory

pytestmark = pytest.mark.django_db

TODAY = "2026-06-15"


def test_an_editor_changes_how_long_figures_are_kept(client):
    client.force_login(EditorFactory())

    listing = client.get("/admin/audience/audiencesettings/")
    form_url = listing["Location"]
    response = client.post(form_url, {"keep_days": "365"})

    assert listing.status_code == 302
    assert response.status_code == 302
    assert AudienceSettings.load().keep_days == 365


def test_keeping_figures_for_no_day_is_refused(client):
    client.force_login(EditorFactory())
    form_url = client.get("/admin/audience/audiencesettings/")["Location"]

    response = client.post(form_url, {"keep_days": "0"})

    assert response.status_code == 200
    assert AudienceSettings.load().keep_days == 730


def test_an_editor_reads_the_figures_but_cannot_change_them(client):
    SiteDay.objects.create(day=TODAY, views=12, visitors=5)
    client.force_login(EditorFactory())

    listing = client.get("/admin/audience/siteday/")
    row = SiteDay.objects.get()
    change = client.post(f"/admin/audience/siteday/{row.pk}/change/", {"views": 1})
    delete = client.post(f"/admin/audience/siteday/{row.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert "12" in listing.text
    assert change.status_code == 403
    assert delete.status_code == 403
    assert SiteDay.objects.get().views == 12


@pytest.mark.parametrize(
    "path",
    [
        "/admin/audience/siteday/",
        "/admin/audience/articleday/",
        "/admin/audience/audiencesettings/",
    ],
)
def test_a_writer_sees_no_figures(client, path):
    client.force_login(WriterFactory())

    assert client.get(path).status_code == 403


def test_nobody_sees_visitor_marks_or_salts(client):
    client.force_login(EditorFactory(is_superuser=True))

    assert client.get("/admin/audience/visitormark/").status_code == 404
    assert client.get("/admin/audience/daysalt/").status_code == 404
