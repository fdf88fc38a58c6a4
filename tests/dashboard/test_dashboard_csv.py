"""Each dashboard table as CSV, for whom may read it (issue 23, item 4)."""

import csv
import io

import pytest

pytestmark = pytest.mark.django_db


def rows(answer) -> list[list[str]]:
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(answer.content.decode())))


def test_most_read_over_the_days_asked(editor_client, seeded):
    month = rows(editor_client.get("/admin/dashboard/most-read.csv?days=30"))
    week = rows(editor_client.get("/admin/dashboard/most-read.csv?days=7"))
    ever = rows(editor_client.get("/admin/dashboard/most-read.csv?days=60"))

    assert month == [
        ["article", "views"],
        ["Salary talks that work", "115"],
        ["Five CV fixes", "40"],
    ]
    assert week[1:] == [["Five CV fixes", "40"], ["Salary talks that work", "15"]]
    assert ever[1] == ["An old favourite", "1000"]


def test_daily_figures_have_a_row_for_every_day(editor_client, seeded):
    table = rows(editor_client.get("/admin/dashboard/daily.csv?days=14"))

    assert table[0] == ["day", "views", "visitors", "sign-ups"]
    assert len(table) == 1 + 14
    assert table[-1][1:] == ["300", "120", "2"]  # today, last
    assert table[4][1:] == ["100", "50", "1"]  # ten days ago
    assert table[5][1:] == ["0", "0", "0"]


def test_cells_that_look_like_formulas_are_defused(editor_client, seeded):
    table = rows(editor_client.get("/admin/dashboard/empty-searches.csv"))

    assert ["'=cmd", "1"] in table
    assert ["remote work", "5"] in table


def test_newsletter_tables(editor_client, seeded):
    clicks = rows(editor_client.get("/admin/dashboard/last-edition.csv"))
    upcoming = rows(editor_client.get("/admin/dashboard/next-edition.csv"))

    assert clicks[1:] == [["Salary talks that work", "12"], ["Five CV fixes", "0"]]
    assert upcoming[1][0] == "Five CV fixes"


def test_writer_downloads_only_their_own_review_items(writer_client, seeded):
    table = rows(writer_client.get("/admin/dashboard/review.csv"))

    assert [row[0] for row in table[1:]] == ["Wanda's draft"]


@pytest.mark.parametrize(
    "name",
    [
        "next-edition",
        "last-edition",
        "most-read",
        "daily",
        "signups",
        "empty-searches",
        "referrers",
    ],
)
def test_writer_may_not_download_newsletter_or_figures(writer_client, seeded, name):
    assert writer_client.get(f"/admin/dashboard/{name}.csv").status_code == 403


def test_anonymous_is_sent_to_the_login(client, seeded):
    answer = client.get("/admin/dashboard/review.csv")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize(
    "query",
    ["days=0", "days=-7", "days=abc", "days=99999", "days=", "days=٣", "days=7&x=1"],
)
def test_bad_parameters_are_refused_with_400(editor_client, seeded, query):
    answer = editor_client.get(f"/admin/dashboard/most-read.csv?{query}")

    assert answer.status_code == 400


def test_an_unknown_table_is_not_found(editor_client):
    assert editor_client.get("/admin/dashboard/secrets.csv").status_code == 404


def test_only_reading_is_allowed(editor_client):
    assert editor_client.post("/admin/dashboard/review.csv").status_code == 405
