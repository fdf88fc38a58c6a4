"""Clicks per article per edition (issue 23 item 3): the digest's article
links go through the site, signed, the same for every subscriber; following
one counts a click and sends the reader on; nobody's identity is kept."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group

from newsletter import delivery
from newsletter.clicks import click_token, edition_clicks, read_click_token
from newsletter.editions import edition_send_test
from newsletter.models import Edition, EditionClick
from tests.factories import (
    NOW,
    ArticleFactory,
    EditionFactory,
    EditorFactory,
    SubscriberFactory,
)

pytestmark = pytest.mark.django_db

SITE = "https://careerhub.example"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
LINK = re.compile(r"https://careerhub\.example(/newsletter/r/[^/\s\"]+/)")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def articles():
    return [
        ArticleFactory(title="How to answer salary questions"),
        ArticleFactory(title="Writing a CV that gets read"),
    ]


def due_edition(articles, subject="This week: salaries and CVs"):
    return EditionFactory(
        subject=subject,
        status=Edition.Status.SCHEDULED,
        scheduled_for=NOW - timedelta(minutes=1),
        articles=articles,
    )


@pytest.fixture
def sent(recorder, articles):
    """An edition sent to two subscribers; its mails, in sending order."""
    readers = [SubscriberFactory(email=f"r{n}@example.com") for n in (1, 2)]
    edition = due_edition(articles)
    delivery.edition_send(edition=edition)
    edition.refresh_from_db()
    assert edition.status == Edition.Status.SENT
    by_address = {message.to[0]: message for message in recorder.messages}
    return edition, [by_address[reader.email] for reader in readers], readers


def links_in(body: str) -> list[str]:
    return LINK.findall(body)


def html_of(message) -> str:
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def click(client, path, remote="192.0.2.1", **headers):
    headers = {"User-Agent": BROWSER, **headers}
    return client.get(path, headers=headers, REMOTE_ADDR=remote)


def counts(edition):
    return {article.title: clicks for article, clicks in edition_clicks(edition)}


# The links in the mail ----------------------------------------------------------
def test_each_article_link_in_both_parts_goes_through_the_site(sent, articles):
    edition, (message, _), _ = sent
    html = html_of(message)

    for body in (message.body, html):
        for article in articles:
            assert article.get_absolute_url() not in body
    # Text: one link per article; HTML: title and "Read the article".
    assert len(links_in(message.body)) == 2
    assert links_in(html) == [path for path in links_in(message.body) for _ in (1, 2)]
    for path, article in zip(links_in(message.body), articles, strict=True):
        token = path.removeprefix("/newsletter/r/").removesuffix("/")
        link = read_click_token(token)
        assert (link.edition_id, link.article_id) == (edition.pk, article.pk)


def test_every_subscriber_gets_the_same_links_with_nothing_of_theirs(sent):
    _, messages, readers = sent
    first, second = (links_in(m.body) + links_in(html_of(m)) for m in messages)

    assert first == second
    for reader in readers:
        for link in first:
            assert reader.token not in link
            assert reader.email.split("@")[0] not in link


def test_the_mail_has_no_image_from_the_site(sent):
    """No open-tracking pixel: no <img> at all pointing at the site."""
    _, messages, _ = sent
    for message in messages:
        html = html_of(message)
        sources = re.findall(r"<img[^>]*\bsrc=\"([^\"]*)\"", html, flags=re.I)
        assert not [src for src in sources if "careerhub.example" in src]
        assert "/newsletter/r/" not in " ".join(sources)


# Following a link ---------------------------------------------------------------
def test_following_a_link_redirects_to_the_article_and_counts_one(
    client, sent, articles
):
    edition, (message, _), _ = sent
    salary, cv = articles

    response = click(client, links_in(message.body)[0])

    assert response.status_code == 302
    assert response["Location"] == salary.get_absolute_url()
    assert counts(edition) == {salary.title: 1, cv.title: 0}
    assert EditionClick.objects.get().clicks == 1


def test_links_of_two_subscribers_add_up_on_one_counter(client, sent, articles):
    edition, messages, _ = sent

    for message in messages:
        click(client, links_in(html_of(message))[2])  # the second article

    assert counts(edition) == {articles[0].title: 0, articles[1].title: 2}
    assert EditionClick.objects.count() == 1


def test_the_answer_is_never_cached_and_sets_no_cookie(client, sent):
    _, (message, _), _ = sent

    response = click(client, links_in(message.body)[0])

    assert response.status_code == 302
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert not response.cookies
    assert "Set-Cookie" not in str(response.serialize_headers())


@pytest.mark.parametrize(
    "headers",
    [
        {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"},
        {"User-Agent": "python-requests/2.32.3"},
        {"User-Agent": ""},
        {"Sec-Purpose": "prefetch"},
        {"Sec-Purpose": "prefetch;prerender"},
        {"Purpose": "prefetch"},
        {"DNT": "1"},
        {"Sec-GPC": "1"},
    ],
    ids=[
        "crawler",
        "script",
        "no-agent",
        "sec-purpose",
        "prerender",
        "purpose",
        "do-not-track",
        "global-privacy-control",
    ],
)
def test_robots_prefetches_and_readers_not_tracked_are_sent_on_uncounted(
    client, sent, articles, headers
):
    edition, (message, _), _ = sent

    response = click(client, links_in(message.body)[0], **headers)

    assert response.status_code == 302
    assert response["Location"] == articles[0].get_absolute_url()
    assert set(counts(edition).values()) == {0}


def test_a_head_request_is_answered_but_not_counted(client, sent):
    edition, (message, _), _ = sent

    response = client.head(links_in(message.body)[0], headers={"User-Agent": BROWSER})

    assert response.status_code == 302
    assert set(counts(edition).values()) == {0}


def test_a_post_is_refused(client, sent):
    _, (message, _), _ = sent

    assert client.post(links_in(message.body)[0]).status_code == 405


def test_over_the_rate_limit_the_reader_goes_on_uncounted(
    client, sent, articles, settings
):
    settings.NEWSLETTER_CLICK_RATE_LIMIT = "2/hour"
    edition, (message, _), _ = sent
    path = links_in(message.body)[0]

    statuses = [click(client, path).status_code for _ in range(4)]
    assert statuses == [302] * 4
    assert counts(edition)[articles[0].title] == 2
    # Another address has its own share.
    assert click(client, path, remote="203.0.113.9").status_code == 302
    assert counts(edition)[articles[0].title] == 3


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "1-1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "9" * 400,
        "1-1",
        "1-1.%00",
    ],
    ids=["garbage", "forged-signature", "huge", "unsigned", "nul"],
)
def test_a_broken_or_forged_link_gets_a_clear_404(client, sent, token):
    edition, _, _ = sent

    response = click(client, f"/newsletter/r/{token}/")

    assert response.status_code in (400, 404)
    if response.status_code == 404:
        assert "This link doesn’t work" in response.text
    assert set(counts(edition).values()) == {0}


def test_a_link_changed_to_another_article_is_refused(client, sent, articles):
    """The ids are readable, but changing them breaks the signature."""
    edition, (message, _), _ = sent
    path = links_in(message.body)[0]
    other = ArticleFactory(title="Not in this edition")
    tampered = path.replace(
        f"/{edition.pk}-{articles[0].pk}.", f"/{edition.pk}-{other.pk}."
    )
    assert tampered != path

    response = click(client, tampered)

    assert response.status_code == 404
    assert EditionClick.objects.count() == 0


def test_a_link_to_an_article_no_longer_live_leads_to_the_edition_page(
    client, sent, articles
):
    edition, (message, _), _ = sent
    articles[0].status = "draft"
    articles[0].save()

    response = click(client, links_in(message.body)[0])

    assert response.status_code == 302
    assert response["Location"] == edition.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_a_link_of_a_deleted_edition_and_article_leads_home(client, articles):
    token = click_token(edition_id=987654, article_id=987654)

    response = click(client, f"/newsletter/r/{token}/")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert EditionClick.objects.count() == 0


def test_the_redirect_target_never_leaves_the_site(client, sent):
    """Whatever is appended to the link, the target is worked out from the
    article id: a path on this site."""
    _, (message, _), _ = sent
    path = links_in(message.body)[0]

    for suffix in ("?next=https://evil.example/", "?url=//evil.example"):
        response = click(client, path + suffix)
        assert response.status_code == 302
        assert response["Location"].startswith("/")
        assert not response["Location"].startswith("//")


def test_clicks_are_counted_per_edition(client, recorder, articles):
    SubscriberFactory(email="reader@example.com")
    first = due_edition(articles, subject="First")
    delivery.edition_send(edition=first)
    second = due_edition(articles[:1], subject="Second")
    delivery.edition_send(edition=second)
    first_mail, second_mail = recorder.messages

    click(client, links_in(first_mail.body)[0])
    click(client, links_in(first_mail.body)[0])
    click(client, links_in(second_mail.body)[0])

    assert edition_clicks(first) == [(articles[0], 2), (articles[1], 0)]
    assert edition_clicks(second) == [(articles[0], 1)]


def test_clicks_in_a_test_mail_before_sending_are_not_counted(
    client, articles, mailoutbox
):
    """Editors' test mails carry the same links; only an edition that went
    out counts."""
    edition = due_edition(articles)

    edition_send_test(edition=edition, to="editor@example.com")
    (message,) = mailoutbox

    response = click(client, links_in(message.body)[0])

    assert response.status_code == 302
    assert response["Location"] == articles[0].get_absolute_url()
    assert EditionClick.objects.count() == 0


def test_a_click_costs_three_queries(client, sent, django_assert_num_queries):
    _, (message, _), _ = sent
    path = links_in(message.body)[0]
    click(client, path)  # the row exists from now on

    # 1 article, 1 edition (if it went out), 1 UPDATE clicks = clicks + 1
    with django_assert_num_queries(3):
        response = click(client, path)
    assert response.status_code == 302


# The admin ---------------------------------------------------------------------
def test_the_edition_page_shows_clicks_per_article_with_a_total(client, sent, articles):
    edition, messages, _ = sent
    for message in messages:
        click(client, links_in(message.body)[0])
    click(client, links_in(messages[0].body)[1])
    client.force_login(EditorFactory())

    page = client.get(f"/admin/newsletter/edition/{edition.pk}/change/").text

    table = re.search(r'<table class="edition-clicks">.*?</table>', page, re.S)
    assert table, "no clicks table"
    cells = [
        [
            re.sub(r"<[^>]+>", "", cell)
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table[0], re.S)
    ]
    cells = [(name, int(count)) for name, count in cells[1:]]  # after the header
    assert cells == [(articles[0].title, 2), (articles[1].title, 1), ("Total", 3)]
    # Outcomes stay shown beside them.
    assert "bounced" in page and "unsubscribed after it" in page


def test_editors_may_view_clicks():
    editors = Group.objects.get(name="Editors")
    codenames = set(
        editors.permissions.filter(content_type__model="editionclick").values_list(
            "codename", flat=True
        )
    )
    assert "view_editionclick" in codenames


def test_a_draft_edition_page_says_clicks_come_after_sending(client, articles):
    edition = due_edition(articles)
    client.force_login(EditorFactory())

    page = client.get(f"/admin/newsletter/edition/{edition.pk}/change/").text

    assert "Counted once sending starts: links followed from the mail." in page
    assert 'class="edition-clicks"' not in page
