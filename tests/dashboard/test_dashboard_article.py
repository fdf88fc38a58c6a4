"""An article's own figures on its admin page (issue 23, item 4)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def change(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def figures(html: str) -> str:
    match = re.search(r"<fieldset[^>]*dash-article.*?</fieldset>", html, re.S)
    assert match, "no figures on the page"
    return match.group(0)


def fact(html: str, label: str) -> str:
    match = re.search(rf"<dt>{label}</dt><dd>([^<]*)</dd>", html)
    assert match, label
    return match.group(1)


def test_editor_sees_views_signups_and_clicks(editor_client, seeded):
    html = figures(editor_client.get(change(seeded.salary)).text)

    assert fact(html, "Views, last 7 days") == "15"
    assert fact(html, "Views, last 30 days") == "115"
    assert fact(html, "Sign-ups from its page, last 30 days") == "2"
    assert 'role="img"' in html and "115 views in all" in html
    # The chart's numbers, one row a day, today last with its 5 views.
    assert len(re.findall(r'<tr><th scope="row">', html)) == 30 + 1
    assert re.search(r"Mon 15 Jun</th><td[^>]*>5</td>", html)
    edition = reverse("admin:newsletter_edition_change", args=[seeded.last.pk])
    assert re.search(
        rf'<a href="{edition}">Last week&#x27;s digest</a></th><td[^>]*>12<', html
    )


def test_an_article_never_read_or_sent_says_so(editor_client, seeded):
    html = figures(editor_client.get(change(seeded.later)).text)

    assert fact(html, "Views, last 30 days") == "0"
    assert "No newsletter edition has carried it yet." in html


def test_writer_sees_no_figures_on_their_article(writer_client, seeded):
    answer = writer_client.get(change(seeded.own_draft))

    assert answer.status_code == 200
    assert "dash-article" not in answer.text


def test_the_add_page_has_no_figures(editor_client, seeded):
    answer = editor_client.get(reverse("admin:articles_article_add"))

    assert answer.status_code == 200
    assert "dash-article" not in answer.text
