"""Findings 2 and 4 to 7 of the hostile review, replayed (1 and 3 have files
of their own: test_login_lockout.py, test_writer_isolation.py)."""

import html
import json
import re
from datetime import date
from xml.etree import ElementTree

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from articles.models import Article
from newsletter.models import Subscriber
from reader.views import HomeView
from tests.articles.admin_forms import article_form, change_url
from tests.factories import (
    NOW,
    ArticleFactory,
    DraftArticleFactory,
    EditorFactory,
    SubscriberFactory,
    UserFactory,
    WriterFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def editor_client():
    client = Client(raise_request_exception=False)
    client.force_login(EditorFactory(username="edna"))
    return client


# -- 2. NUL bytes and malformed tokens ----------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_link_with_a_nul_byte_is_a_bad_request(client, method):
    subscriber = SubscriberFactory()
    for path in [
        "/newsletter/unsubscribe/%00/",
        f"/newsletter/unsubscribe/{subscriber.token}%00/",
        f"/newsletter/confirm/{subscriber.token}%00/",
    ]:
        response = getattr(client, method)(path)
        assert response.status_code == 400, path
        assert "We couldn’t understand that request" in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize(
    "token", ["short", "a" * 65, "a" * 500, "ab.cd" * 10, "%C3%A9" * 10]
)
def test_malformed_unsubscribe_token_is_unknown_without_a_query(
    client, django_assert_num_queries, token
):
    with django_assert_num_queries(0):
        response = client.get(f"/newsletter/unsubscribe/{token}/")
        posted = client.post(
            f"/newsletter/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
        )
    assert response.status_code == posted.status_code == 404


def test_tampered_unsubscribe_token_is_unknown(client):
    subscriber = SubscriberFactory()
    tampered = subscriber.token[:-1] + ("A" if subscriber.token[-1] != "A" else "B")
    response = client.post(f"/newsletter/unsubscribe/{tampered}/")
    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize("token", ["a" * 500, "abc:def!", "é" * 5])
def test_malformed_confirmation_token_is_invalid_without_a_query(
    client, django_assert_num_queries, token
):
    with django_assert_num_queries(0):
        response = client.get(reverse("newsletter:confirm", args=[token]))
    assert response.status_code == 400


# -- 4. "Reviewed on" -----------------------------------------------------------


def test_writer_cannot_set_reviewed_on(now):
    writer = WriterFactory(username="wanda")
    draft = DraftArticleFactory(author=writer.author, slug="wandas-draft")
    client = Client()
    client.force_login(writer)

    form = client.get(change_url(draft)).context["adminform"].form
    assert "reviewed_at" not in form.fields
    client.post(
        change_url(draft),
        article_form(slug="wandas-draft", reviewed_at="2030-01-01"),
    )
    draft.refresh_from_db()
    assert draft.reviewed_at is None


def test_a_future_review_date_is_refused_even_for_editors(editor_client, now):
    article = ArticleFactory(slug="checked")
    response = editor_client.post(
        change_url(article),
        article_form(
            slug="checked",
            author=article.author.pk,
            status="published",
            published_at_0="2025-01-01",
            published_at_1="09:00",
            reviewed_at="2026-06-16",
        ),
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.text
    article.refresh_from_db()
    assert article.reviewed_at is None

    today = editor_client.post(
        change_url(article),
        article_form(
            slug="checked",
            author=article.author.pk,
            status="published",
            published_at_0="2025-01-01",
            published_at_1="09:00",
            reviewed_at="2026-06-15",
        ),
    )
    assert today.status_code == 302
    article.refresh_from_db()
    assert article.reviewed_at == date(2026, 6, 15)


def test_a_future_review_date_already_stored_is_not_announced(client, now):
    """Stored before the check existed: no feed or crawler hears of it."""
    article = ArticleFactory(slug="old-data")
    Article.objects.filter(pk=article.pk).update(reviewed_at=date(2030, 1, 1))

    page = client.get(article.get_absolute_url()).text
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    )
    assert not data["dateModified"].startswith("2030")
    assert "2030" not in re.search(r'article:modified_time" content="([^"]*)', page)[1]
    assert "2030" not in client.get("/sitemap-articles.xml").text
    assert "<updated>2030" not in client.get("/feed/atom/").text
    assert "2030" not in client.get("/sitemap.xml").text


# -- 5. Topic feeds ------------------------------------------------------------


@pytest.mark.parametrize("feed", ["topic_feed", "topic_feed_atom"])
def test_feed_of_a_topic_only_drafts_use_is_not_found(client, now, feed):
    DraftArticleFactory(topics=["Unannounced"])
    assert client.get(reverse("articles:topic", args=["unannounced"])).status_code == (
        404
    )
    response = client.get(reverse(f"articles:{feed}", args=["unannounced"]))
    assert response.status_code == 404
    assert "Unannounced" not in response.text


def test_rss_channel_description_is_escaped_like_item_summaries(client, now):
    ArticleFactory(topics=["Q&A <b>"], excerpt="Pay & perks <i>now</i>")
    author_name = "Anna <O'Neil> & Co"
    article = ArticleFactory(author__name=author_name, author__slug="anna")

    topic = ElementTree.fromstring(client.get("/topics/qa-b/feed/").content)
    channel = topic.find("channel")
    item = channel.find("item")
    assert item.findtext("description") == html.escape("Pay & perks <i>now</i>")
    assert channel.findtext("description") == html.escape(
        "Career advice about Q&A <b> from CareerHub."
    )
    by_author = ElementTree.fromstring(client.get("/authors/anna/feed/").content)
    assert by_author.find("channel").findtext("description") == html.escape(
        f"Career advice written by {author_name} for CareerHub."
    )
    # Atom's subtitle is text: escaped once, by the XML itself.
    atom = ElementTree.fromstring(client.get("/authors/anna/feed/atom/").content)
    subtitle = atom.findtext("{http://www.w3.org/2005/Atom}subtitle")
    assert subtitle == f"Career advice written by {author_name} for CareerHub."
    assert article.title in client.get("/authors/anna/feed/").text


# -- 6. Staff-only 500s on odd parameters ----------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/admin/articles/article/abc/preview/", 404),
        ("/admin/articles/article/1.5/preview/", 404),
        ("/admin/articles/article/99999999999999999999/preview/", 404),
        ("/admin/articles/article/%00/preview/", 400),
        ("/admin/articles/article/?topic=%00", 400),
        ("/admin/articles/article/topics/?q=%00", 400),
        (
            "/admin/autocomplete/?app_label=articles&model_name=article"
            "&field_name=related&term=%00abc",
            400,
        ),
        ("/admin/newsletter/subscriber/?status__exact=%00", 400),
        ("/admin/newsletter/subscriber/?status__exact=bogus", 200),
        ("/admin/articles/article/?published_at__year=99999999999", 302),
        ("/admin/newsletter/subscriber/?signed_up_at__year=99999999999", 302),
        (
            "/admin/articles/article/?published_at__year=2025&published_at__month=13",
            302,
        ),
    ],
)
def test_odd_admin_parameters_answer_4xx_or_the_list(editor_client, path, expected):
    ArticleFactory(topics=["Pay"])
    response = editor_client.get(path)
    assert response.status_code == expected
    if expected == 200:
        assert "Select subscriber to change" in response.text
    if expected == 302:
        assert response["Location"].endswith("?e=1")
        assert editor_client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("model", ["articles/article", "newsletter/edition"])
@pytest.mark.parametrize("pk", ["99999999999", "99999999999999999999999", "-5"])
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_ids_out_of_the_columns_range_are_simply_not_found(
    admin_client, model, pk, view
):
    response = admin_client.get(f"/admin/{model}/{pk}/{view}/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert "doesn’t exist" in admin_client.get("/admin/").text


# -- 7. Missing pieces -----------------------------------------------------------


def test_every_response_carries_a_permissions_policy(client):
    for path in ["/", "/no-such-page/", "/feed/", "/admin/login/"]:
        policy = client.get(path)["Permissions-Policy"]
        assert "camera=()" in policy
        assert "geolocation=()" in policy
        assert "microphone=()" in policy


def test_bad_request_page_is_the_sites_own(client):
    response = client.get("/articles/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "We couldn’t understand that request" in response.text
    assert 'class="skip-link"' in response.text  # base.html's chrome


def test_forbidden_page_is_the_sites_own():
    client = Client()
    client.force_login(UserFactory(username="staff", is_staff=True))
    response = client.get(reverse("admin:articles_article_markdown_help"))
    assert response.status_code == 403
    assert "You can’t open this page" in response.text
    assert 'class="skip-link"' in response.text


def test_csrf_failure_page_is_the_sites_own():
    subscriber = SubscriberFactory(status="pending")
    from newsletter.tokens import make_confirmation_token

    token = make_confirmation_token(subscriber, issued_at=NOW)
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("newsletter:confirm", args=[token]))
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert 'class="skip-link"' in response.text
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def refuse_connections(*args, **kwargs):
    raise OperationalError("connection to server failed: Connection refused")


@pytest.fixture
def database_down(monkeypatch):
    """Every new query fails as when PostgreSQL cannot be reached."""
    monkeypatch.setattr(connection, "ensure_connection", refuse_connections)


@pytest.mark.parametrize("path", ["/", "/articles/", "/feed/", "/sitemap.xml"])
def test_a_database_outage_answers_503_with_retry_after(database_down, path):
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "We will be back in a moment" in response.text


def test_a_page_kept_whole_is_still_served_while_the_database_is_down(
    client, monkeypatch
):
    """The home's parts are kept as fragments once shown: it needs no query
    then, and readers get it rather than the 503 page."""
    assert client.get("/").status_code == 200  # the fragments kept
    monkeypatch.setattr(connection, "ensure_connection", refuse_connections)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 200
    assert "Latest articles" in response.text


def test_a_database_outage_answers_503_in_the_admin_too(monkeypatch):
    """There the session is read first, by middleware, before any view."""
    client = Client(raise_request_exception=False)
    client.force_login(EditorFactory(username="edna"))
    monkeypatch.setattr(connection, "ensure_connection", refuse_connections)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"


def test_other_crashes_still_answer_500(monkeypatch):
    def crash(self, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(HomeView, "get_context_data", crash)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_read_only_pages_answer_405_not_a_csrf_403_to_other_methods(now):
    article = ArticleFactory(topics=["Pay"])
    client = Client(enforce_csrf_checks=True)  # as in production
    pages = [
        "/",
        "/articles/",
        article.get_absolute_url(),
        "/topics/",
        "/topics/pay/",
        f"/authors/{article.author.slug}/",
        "/search/?q=pay",
        reverse("newsletter:editions"),
        reverse("about"),
        reverse("privacy"),
    ]
    for path in pages:
        for method in ["POST", "PUT", "DELETE", "PATCH"]:
            response = client.generic(method, path)
            assert response.status_code == 405, f"{method} {path}"
            assert "POST" not in response["Allow"]


def test_the_sign_up_form_still_takes_posts_without_a_token(now):
    response = Client(enforce_csrf_checks=True).post(
        reverse("newsletter:signup"), {"email": "reader@example.com"}
    )
    assert response.status_code != 403


@pytest.mark.parametrize(
    "path",
    [
        "/feed/",
        "/feed/atom/",
        "/topics/pay/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
    ],
)
@pytest.mark.parametrize("method", ["TRACE", "POST", "PUT", "DELETE", "PATCH"])
def test_feeds_and_sitemaps_answer_405_to_other_methods(now, path, method):
    ArticleFactory(topics=["Pay"])
    # With CSRF checks on, as in production: no 403 stands before the 405.
    response = Client(enforce_csrf_checks=True).generic(method, path)
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}
