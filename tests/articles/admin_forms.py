"""Helpers for posting the admin's article form as a browser does."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.urls import reverse


def add_url():
    return reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def changelist_url():
    return reverse("admin:articles_article_changelist")


def article_form(**overrides):
    """The article admin form as a browser posts it (empty where blank)."""
    data = {
        "title": "How to answer salary questions",
        "slug": "how-to-answer-salary-questions",
        "body": "## Know your number\n\nResearch the range before the call.\n",
        "excerpt": "",
        "tags": "",
        "cover_alt": "",
        "author": "",
        "published_at_0": "",
        "published_at_1": "",
        "meta_description": "",
        "reviewed_at": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def london(*args) -> datetime:
    """A wall-clock time in the site's zone (Europe/London, BST in June)."""
    return datetime(*args, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)


def publish(client, article=None, action="publish"):
    """Press "Publish now" and confirm, as an editor does (the newest article
    when none is given)."""
    from articles.models import Article

    article = article or Article.objects.latest("pk")
    url = reverse("admin:articles_article_publish", args=[article.pk])
    return client.post(url, {"action": action}, follow=True)
