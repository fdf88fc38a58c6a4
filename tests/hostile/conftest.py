"""A small site with something of every kind, and the people who use it."""

from dataclasses import dataclass

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from articles.models import Article, Author
from newsletter.models import Subscriber
from newsletter.tokens import make_confirmation_token
from tests.factories import (
    NOW,
    ArticleFactory,
    DraftArticleFactory,
    EditionFactory,
    SubscriberFactory,
    WriterFactory,
)

SECRET_TITLE = "Zebra secret draft"
SECRET_SLUG = "zebra-secret-draft"


@dataclass
class Site:
    live: Article
    secret: Article  # another writer's draft: nothing of it may reach the writer
    author: Author
    subscriber: Subscriber
    pending: Subscriber
    edition: object
    superuser: object
    writer: object


@pytest.fixture
def site(db):
    with time_machine.travel(NOW, tick=False):
        live = ArticleFactory(title="Live advice", slug="live-advice", topics=["Pay"])
        other = WriterFactory(username="walt")
        secret = DraftArticleFactory(
            title=SECRET_TITLE,
            slug=SECRET_SLUG,
            author=other.author,
            topics=["Zebra topic"],
        )
        writer = WriterFactory(username="wanda")
        superuser = get_user_model().objects.create_superuser(
            "root", "root@example.com", "a long and unguessable password"
        )
        yield Site(
            live=live,
            secret=secret,
            author=live.author,
            subscriber=SubscriberFactory(),
            pending=SubscriberFactory(status="pending"),
            edition=EditionFactory(articles=[live]),
            superuser=superuser,
            writer=writer,
        )


@pytest.fixture
def superuser_client(site):
    client = Client(raise_request_exception=False)
    client.force_login(site.superuser)
    return client


@pytest.fixture
def writer_client(site):
    client = Client(raise_request_exception=False)
    client.force_login(site.writer)
    return client


@pytest.fixture
def anonymous_client():
    return Client(raise_request_exception=False)


def valid_values(pattern, site) -> dict:
    """A value for each parameter of ``pattern`` that names something real."""
    values = {}
    for name in pattern.params:
        if pattern.model is not None and name in {"object_id", "id", "pk"}:
            obj = pattern.model._default_manager.order_by("pk").first()
            values[name] = obj.pk if obj else 1
        elif name == "slug":
            values[name] = {
                "detail": site.live.slug,
                "author": site.author.slug,
                "author_feed": site.author.slug,
                "author_feed_atom": site.author.slug,
            }.get(pattern.name, "pay")
        elif name == "token":
            values[name] = (
                make_confirmation_token(site.pending, issued_at=NOW)
                if pattern.name == "confirm"
                else site.subscriber.token
            )
        elif name == "pk":
            values[name] = site.edition.pk
        elif name == "section":
            values[name] = "articles"
        elif name == "app_label":
            values[name] = "articles"
        elif name == "content_type_id":
            values[name] = ContentType.objects.get_for_model(Article).pk
        elif name == "object_id":
            values[name] = site.live.pk
        else:
            values[name] = "x"
    return values
