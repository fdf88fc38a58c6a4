"""The desk's own admin pages share one head and one trail of breadcrumbs
(templates/admin/desk_page.html): Home › app › list › the object › the page."""

import re

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, DraftArticleFactory, EditionFactory

pytestmark = pytest.mark.django_db


def crumbs(response) -> list[str]:
    # One base for them all, so the trail cannot drift page by page.
    assert "admin/desk_page.html" in [t.name for t in response.templates]
    trail = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', response.text, re.S)
    assert trail, "the page has breadcrumbs"
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(r"<li[^>]*>(.*?)</li>", trail.group(1), re.S)
    ]


def links(response) -> list[str]:
    trail = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', response.text, re.S)
    return re.findall(r'href="([^"]+)"', trail.group(1))


def test_a_publish_confirmation_leads_back_to_its_article(editor_client):
    draft = DraftArticleFactory(title="Salary talks")
    url = reverse("admin:articles_article_publish", args=[draft.pk])

    response = editor_client.get(url, {"action": "publish"})

    assert crumbs(response) == [
        "Home",
        "Articles",
        "Articles",
        "Salary talks",
        "Publish",
    ]
    assert links(response)[2:] == [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[draft.pk]),
    ]
    assert "css/admin-articles.css" in response.text
    assert re.search(r'<body class="[^"]*publish-confirmation', response.text)


def test_the_versions_page_leads_back_to_its_article(editor_client):
    article = ArticleFactory(title="Interview questions")

    response = editor_client.get(
        reverse("admin:articles_article_versions", args=[article.pk])
    )

    assert crumbs(response)[-2:] == ["Interview questions", "Versions"]
    assert "css/editor.css" in response.text


def test_a_list_action_confirmation_has_no_article_crumb(editor_client):
    drafts = DraftArticleFactory.create_batch(2)

    response = editor_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_now", "_selected_action": [a.pk for a in drafts]},
    )

    assert crumbs(response) == ["Home", "Articles", "Articles", "Publish"]


def test_an_editions_send_page_leads_back_to_its_edition(admin_client):
    edition = EditionFactory(subject="This week: raises")

    response = admin_client.get(f"/admin/newsletter/edition/{edition.pk}/send-now/")

    assert crumbs(response) == [
        "Home",
        "Newsletter",
        "Editions",
        "This week: raises",
        "Send now",
    ]
    assert links(response)[2] == reverse("admin:newsletter_edition_changelist")
    assert "css/newsletter-admin.css" in response.text
    assert re.search(r'<body class="[^"]*send-confirmation', response.text)
