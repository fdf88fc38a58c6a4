"""The admin's front page is the editor's dashboard (issue 23, item 4)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

INDEX = "/admin/"


def section(html: str, heading_id: str) -> str:
    """The HTML of the dashboard section headed by ``heading_id``."""
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S
    )
    assert match, f"no section {heading_id}"
    return match.group(0)


def change(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def test_editor_sees_every_section_with_its_numbers(editor_client, seeded):
    html = editor_client.get(INDEX).text

    review = section(html, "dash-review")
    assert f'href="{change(seeded.other_draft)}"' in review
    assert f'href="{change(seeded.own_draft)}"' in review
    assert 'dash-badge">2<' in review
    assert "review_request=waiting" in review
    # Longest waiting first.
    assert review.index("Walt&#x27;s draft") < review.index("Wanda&#x27;s draft")

    scheduled = section(html, "dash-scheduled")
    walt, wanda = "Walt&#x27;s coming", "Wanda&#x27;s coming"
    assert scheduled.index(walt) < scheduled.index(wanda)  # soonest first
    assert "Far ahead" not in scheduled

    upcoming = section(html, "dash-next-edition")
    assert "Tomorrow&#x27;s digest" in upcoming
    assert reverse("admin:newsletter_edition_change", args=[seeded.upcoming.pk]) in (
        upcoming
    )
    assert "3 subscribers" in upcoming  # confirmed only
    assert "Five CV fixes" in upcoming

    last = section(html, "dash-last-edition")
    assert "4 of 4" in last
    assert "1 unsubscribed, 0 bounced, 0 complained" in last
    assert re.search(r"Salary talks that work</a></th><td[^>]*>12<", last)
    assert re.search(r"Five CV fixes</a></th><td[^>]*>0<", last)

    most_read = section(html, "dash-most-read")
    week, month = most_read.split("<caption>Most read, last 30 days")
    assert week.index("Five CV fixes") < week.index("Salary talks")
    assert re.search(r"Five CV fixes</a></th><td[^>]*>40<", week)
    assert re.search(r"Salary talks that work</a></th><td[^>]*>115<", month)
    assert "An old favourite" not in most_read

    readers = section(html, "dash-readers")
    assert 'role="img"' in readers and "<desc" in readers
    assert "400 views in all" in readers  # 300 today + 100 ten days ago
    assert re.search(r"<td[^>]*>300</td><td[^>]*>120</td><td[^>]*>2</td>", readers)

    signups = section(html, "dash-signups")
    assert "3 sign-ups in all" in signups
    assert re.search(r"Salary talks that work</a></th><td[^>]*>2<", signups)

    searches = section(html, "dash-searches")
    assert re.search(r"remote work</th><td[^>]*>5<", searches)
    assert ">cv<" not in searches  # found something every time

    referrers = section(html, "dash-referrers")
    assert referrers.index("news.example") < referrers.index("social.example")
    # Each figures table links to the admin list it sums.
    for heading, model in [
        ("dash-readers", "siteday"),
        ("dash-most-read", "articleday"),
        ("dash-signups", "signupday"),
        ("dash-searches", "searchday"),
        ("dash-referrers", "referrerday"),
    ]:
        assert reverse(f"admin:audience_{model}_changelist") in section(html, heading)
    # The stock list of every admin section is still there, below.
    assert 'id="dash-apps-title"' in html
    assert reverse("admin:articles_article_changelist") in html


def test_writer_sees_only_their_own_review_items_and_no_newsletter(
    writer_client, seeded
):
    html = writer_client.get(INDEX).text

    review = section(html, "dash-review")
    assert "Wanda&#x27;s draft" in review
    assert "Walt&#x27;s draft" not in review
    assert 'dash-badge">1<' in review
    scheduled = section(html, "dash-scheduled")
    assert "Wanda&#x27;s coming" in scheduled
    assert "Walt&#x27;s coming" not in scheduled
    for hidden in [
        "dash-next-edition",
        "dash-last-edition",
        "dash-most-read",
        "dash-readers",
        "dash-signups",
        "dash-searches",
        "dash-referrers",
    ]:
        assert hidden not in html
    assert "Tomorrow&#x27;s digest" not in html
    assert "/admin/dashboard/most-read.csv" not in html


def test_an_empty_site_shows_the_sections_with_what_is_missing(editor_client, now):
    html = editor_client.get(INDEX).text

    assert "Nothing waits for review." in html
    assert "No article read yet." in html
    assert "dash-last-edition" not in html  # nothing went out yet
    upcoming = section(html, "dash-next-edition")
    assert "the weekly edition is made then" in upcoming


def test_anonymous_is_sent_to_the_login(client):
    answer = client.get(INDEX)

    assert answer.status_code == 302
    assert answer["Location"].startswith("/admin/login/")
