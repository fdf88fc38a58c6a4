"""The edition desk in the admin: picking articles by title, this week's
articles, Send now with its confirmation, tests that save first, and what
happened after an edition went out (issue 12 item 7, issue 10 item 3)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletter.models import Delivery, Edition, MailEvent
from newsletter.tasks import send_edition
from tests.factories import (
    NOW,
    ArticleFactory,
    DraftArticleFactory,
    EditionFactory,
    ScheduledArticleFactory,
    SubscriberFactory,
    UserFactory,
    WriterFactory,
)

pytestmark = pytest.mark.django_db

EDITIONS = "/admin/newsletter/edition/"
AUTOCOMPLETE = "/admin/autocomplete/"


def change_url(edition):
    return f"{EDITIONS}{edition.pk}/change/"


def send_now_url(edition):
    return f"{EDITIONS}{edition.pk}/send-now/"


def form_data(edition, *, subject=None, new_articles=(), **extra):
    """The change form as the browser posts it, with rows for new articles."""
    entries = list(edition.edition_articles.order_by("pk"))
    rows = [(entry.pk, entry.article_id, entry.position) for entry in entries]
    rows += [("", article.pk, "") for article in new_articles]
    data = {
        "subject": edition.subject if subject is None else subject,
        "intro": edition.intro,
        "scheduled_for_0": "",
        "scheduled_for_1": "",
        "edition_articles-TOTAL_FORMS": str(len(rows)),
        "edition_articles-INITIAL_FORMS": str(len(entries)),
        "edition_articles-MIN_NUM_FORMS": "0",
        "edition_articles-MAX_NUM_FORMS": "1000",
    }
    for index, (pk, article_id, position) in enumerate(rows):
        prefix = f"edition_articles-{index}"
        data |= {
            f"{prefix}-id": str(pk),
            f"{prefix}-edition": str(edition.pk),
            f"{prefix}-position": str(position),
            f"{prefix}-article": str(article_id),
        }
    return data | extra


def titles(edition):
    return [entry.article.title for entry in edition.edition_articles.all()]


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# Picking articles by title ---------------------------------------------------
def test_title_search_offers_live_articles_only(admin_client):
    ArticleFactory(title="Interview questions that work")
    DraftArticleFactory(title="Interview draft")
    with time_machine.travel(NOW, tick=False):
        ScheduledArticleFactory(title="Interview next week")
        response = admin_client.get(
            AUTOCOMPLETE,
            {
                "app_label": "newsletter",
                "model_name": "editionarticle",
                "field_name": "article",
                "term": "interview",
            },
        )

    assert response.status_code == 200
    found = [result["text"] for result in response.json()["results"]]
    assert found == ["Interview questions that work"]


def test_change_page_picks_articles_with_a_labelled_title_search(admin_client):
    edition = EditionFactory(articles=[ArticleFactory(title="First piece")])

    page = admin_client.get(change_url(edition)).text

    assert 'class="admin-autocomplete' in page
    assert 'data-model-name="editionarticle"' in page
    assert '<label class="visually-hidden" for="id_edition_articles-0-article">' in (
        page
    )
    assert "raw_id" not in page and "vForeignKeyRawIdAdminField" not in page


def test_a_forged_post_cannot_add_a_draft(admin_client):
    edition = EditionFactory()
    draft = DraftArticleFactory(title="Not ready")

    response = admin_client.post(
        change_url(edition), form_data(edition, new_articles=[draft])
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert titles(edition) == []


def test_an_article_unpublished_since_does_not_block_saving(admin_client):
    article = ArticleFactory(title="Withdrawn")
    edition = EditionFactory(articles=[article])
    article.status = article.Status.DRAFT
    article.save()

    response = admin_client.post(
        change_url(edition), form_data(edition, subject="Still saves")
    )

    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.subject == "Still saves"


def test_an_article_added_without_a_position_goes_last(admin_client):
    edition = EditionFactory(
        articles=[ArticleFactory(title="One"), ArticleFactory(title="Two")]
    )
    added = ArticleFactory(title="Three")

    response = admin_client.post(
        change_url(edition), form_data(edition, new_articles=[added])
    )

    assert response.status_code == 302
    assert titles(edition) == ["One", "Two", "Three"]


# Add this week's articles ----------------------------------------------------
def test_add_this_weeks_articles_of_a_weekly_edition(admin_client):
    # The weekly job's period: the previous edition's end to this one's.
    start, end = NOW - timedelta(days=7), NOW
    EditionFactory(status="sent", period_end=start)
    already = ArticleFactory(title="Already in", published_at=start + timedelta(1))
    edition = EditionFactory(period_start=start, period_end=end, articles=[already])
    ArticleFactory(title="Monday piece", published_at=start + timedelta(days=2))
    ArticleFactory(title="Friday piece", published_at=start + timedelta(days=5))
    ArticleFactory(title="Last week", published_at=start - timedelta(hours=1))
    ArticleFactory(title="After the week", published_at=end + timedelta(hours=1))
    DraftArticleFactory(title="A draft")

    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        response = admin_client.post(
            change_url(edition),
            form_data(edition, subject="Edited too", _add_week="1"),
            follow=True,
        )

    # Newest first after what was there, as the weekly job orders them.
    assert titles(edition) == ["Already in", "Friday piece", "Monday piece"]
    edition.refresh_from_db()
    assert edition.subject == "Edited too"  # the form was saved first
    message = messages_of(response)[-1]
    assert message.startswith("Added 2 article(s) published from ")
    assert "“Friday piece”, “Monday piece”" in message


def test_add_this_weeks_articles_twice_adds_nothing_the_second_time(admin_client):
    start = NOW - timedelta(days=7)
    edition = EditionFactory(period_start=start, period_end=NOW)
    ArticleFactory(title="Only one", published_at=start + timedelta(days=1))

    with time_machine.travel(NOW, tick=False):
        admin_client.post(change_url(edition), form_data(edition, _add_week="1"))
        response = admin_client.post(
            change_url(edition), form_data(edition, _add_week="1"), follow=True
        )

    assert titles(edition) == ["Only one"]
    message = messages_of(response)[-1]
    assert message.startswith("No articles to add")


def test_hand_made_edition_gets_the_articles_since_the_last_weekly_one(
    admin_client,
):
    last_week = NOW - timedelta(days=6)
    EditionFactory(status="sent", period_end=last_week)
    ArticleFactory(title="Before", published_at=last_week - timedelta(hours=2))
    ArticleFactory(title="Since", published_at=last_week + timedelta(hours=2))
    edition = EditionFactory()

    with time_machine.travel(NOW, tick=False):
        admin_client.post(change_url(edition), form_data(edition, _add_week="1"))

    assert titles(edition) == ["Since"]


# Send now, with its confirmation ---------------------------------------------
@pytest.fixture
def audience():
    """Two subscribers who get the digest, and four who do not."""
    SubscriberFactory.create_batch(2, status="confirmed")
    SubscriberFactory(status="pending")
    SubscriberFactory(status="unsubscribed")
    SubscriberFactory(status="suppressed", suppression_reason="hard-bounce")
    SubscriberFactory(status="suppressed", suppression_reason="complaint")


def test_send_now_saves_then_asks_how_many_it_goes_to(admin_client, audience, db_tasks):
    edition = EditionFactory(subject="Draft", articles=[ArticleFactory()])

    with time_machine.travel(NOW, tick=False):
        response = admin_client.post(
            change_url(edition),
            form_data(edition, subject="The offer season", _send_now="1"),
        )
        assert response.status_code == 302
        assert response["Location"] == send_now_url(edition)
        page = admin_client.get(send_now_url(edition))

    assert page.status_code == 200
    assert "“The offer season” goes to <strong>2 confirmed subscribers</strong>" in (
        page.text
    )
    assert "now, at Monday 15 June 2026, 13:00 BST (Europe/London)" in page.text
    assert 'value="Yes, send to 2 subscribers"' in page.text
    # Nothing is sent or scheduled before the editor confirms.
    edition.refresh_from_db()
    assert (edition.subject, edition.status) == ("The offer season", "draft")
    assert db_tasks.rows(send_edition) == []


def test_confirming_send_now_enqueues_the_send(admin_client, audience, db_tasks):
    edition = EditionFactory()

    with time_machine.travel(NOW, tick=False):
        response = admin_client.post(send_now_url(edition), follow=True)

    edition.refresh_from_db()
    assert (edition.status, edition.scheduled_for) == ("scheduled", NOW)
    (task,) = db_tasks.rows(send_edition)
    assert task.args_kwargs["kwargs"] == {"edition_id": edition.pk}
    assert "queued for sending" in response.text


@pytest.mark.parametrize("status", ["sending", "sent"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_edition_sent_or_sending_cannot_be_sent_again(
    admin_client, db_tasks, status, method
):
    edition = EditionFactory(status=status, started_at=NOW)

    response = getattr(admin_client, method)(send_now_url(edition))

    assert response.status_code == 302
    assert response["Location"] == change_url(edition)
    page = admin_client.get(change_url(edition))
    assert "can't be sent again" in " ".join(messages_of(page))
    assert db_tasks.rows(send_edition) == []
    assert Edition.objects.get(pk=edition.pk).status == status


@pytest.mark.parametrize("pk", ["999999", "99999999999", "99999999999999999999999"])
def test_send_now_for_an_unknown_edition_is_404(admin_client, pk):
    assert admin_client.get(f"{EDITIONS}{pk}/send-now/").status_code == 404
    assert admin_client.post(f"{EDITIONS}{pk}/send-now/").status_code == 404
    assert admin_client.get(f"{EDITIONS}{pk}/change/").status_code == 302


def test_send_now_needs_the_change_permission(client, db_tasks):
    edition = EditionFactory()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_edition"))
    client.force_login(viewer)

    assert client.get(send_now_url(edition)).status_code == 403
    assert client.post(send_now_url(edition)).status_code == 403
    client.logout()
    anonymous = client.post(send_now_url(edition))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    assert db_tasks.rows(send_edition) == []


def test_a_writer_cannot_send_or_change_editions(client, db_tasks):
    edition = EditionFactory()
    client.force_login(WriterFactory())

    assert client.get(send_now_url(edition)).status_code == 403
    assert client.post(send_now_url(edition)).status_code == 403
    assert client.post(change_url(edition), form_data(edition)).status_code == 403
    assert db_tasks.rows(send_edition) == []


def test_send_now_button_is_the_primary_one_and_only_while_unsent(admin_client):
    draft = EditionFactory()
    sent = EditionFactory(status="sent", started_at=NOW)

    draft_page = admin_client.get(change_url(draft)).text
    sent_page = admin_client.get(change_url(sent)).text

    assert (
        '<button type="submit" name="_send_now" value="1" class="button default">'
        "Send now…</button>"
    ) in draft_page
    assert "_send_now" not in sent_page


# Send test to me -------------------------------------------------------------
def test_send_test_uses_the_edits_just_made(admin_client, admin_user, mailoutbox):
    edition = EditionFactory(subject="Old subject")

    response = admin_client.post(
        change_url(edition),
        form_data(edition, subject="Unsaved new subject", _send_test="1"),
        follow=True,
    )

    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == ([admin_user.email], "[Test] Unsaved new subject")
    edition.refresh_from_db()
    assert edition.subject == "Unsaved new subject"
    assert "Sent a test of “Unsaved new subject”" in " ".join(messages_of(response))


def test_send_test_with_an_invalid_form_keeps_the_edits_and_sends_nothing(
    admin_client, mailoutbox
):
    edition = EditionFactory(subject="Old subject")

    response = admin_client.post(
        change_url(edition),
        form_data(edition, subject="", _send_test="1", intro="My new intro"),
    )

    assert response.status_code == 200
    assert "My new intro" in response.text  # still in the form, not lost
    assert mailoutbox == []


def test_the_page_says_the_test_button_saves_first(admin_client):
    page = admin_client.get(change_url(EditionFactory())).text

    assert "Save and send test to me" in page
    assert "Both save your changes first." in page


# View on site ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "public"),
    [("draft", False), ("scheduled", False), ("sending", True), ("sent", True)],
)
def test_view_on_site_only_once_the_edition_is_public(admin_client, status, public):
    edition = EditionFactory(status=status, started_at=NOW)

    page = admin_client.get(change_url(edition)).text

    assert ("View on site" in page) is public
    assert (f'href="{edition.get_absolute_url()}"' in page) is public


# What happened after an edition went out (issue 10) -----------------------------
@pytest.fixture
def two_sent_editions():
    """Edition A went out on NOW - 7 days, edition B on NOW; each event lands
    between or after them."""
    a_at, b_at = NOW - timedelta(days=7), NOW
    a = EditionFactory(subject="A", status="sent", started_at=a_at)
    b = EditionFactory(subject="B", status="sent", started_at=b_at)
    people = {
        name: SubscriberFactory(email=f"{name}@example.com")
        for name in ["ann", "bob", "cy", "di", "ed", "flo"]
    }
    for name in people:
        Delivery.objects.create(
            edition=a, subscriber=people[name], status="sent", sent_at=a_at
        )
        if name != "ed":
            Delivery.objects.create(
                edition=b, subscriber=people[name], status="sent", sent_at=b_at
            )
    # Ed's mail of B was refused by the mail server: the SMTP hard bounce.
    Delivery.objects.create(
        edition=b,
        subscriber=people["ed"],
        status="failed",
        failure="refused",
        claimed_at=b_at + timedelta(minutes=1),
    )

    def event(name, kind, at, event_id=""):
        MailEvent.objects.create(
            subscriber=people[name],
            kind=kind,
            source="smtp" if not event_id else "postmark",
            event_id=event_id,
            occurred_at=at,
        )

    event("ann", "complaint", a_at + timedelta(days=1), "p1")  # A
    event("bob", "soft-bounce", a_at + timedelta(hours=1), "p2")  # A
    event("bob", "soft-bounce", a_at + timedelta(hours=5), "p3")  # A, same person
    event("cy", "hard-bounce", b_at + timedelta(hours=2), "p4")  # B
    event("ed", "hard-bounce", b_at + timedelta(minutes=1, seconds=1))  # B, refused
    event("flo", "hard-bounce", a_at - timedelta(days=30), "p5")  # before both
    people["di"].status = "unsubscribed"
    people["di"].unsubscribed_at = a_at + timedelta(days=2)  # A
    people["di"].save()
    people["flo"].status = "unsubscribed"
    people["flo"].unsubscribed_at = b_at + timedelta(days=1)  # B
    people["flo"].save()
    return a, b


def test_edition_list_shows_what_happened_after_each_edition(
    admin_client, two_sent_editions
):
    a, b = two_sent_editions
    EditionFactory(subject="Draft")

    response = admin_client.get(EDITIONS)

    rows = {row.subject: row for row in response.context["cl"].result_list}
    assert rows["A"].outcome.__dict__ == {
        "bounced": 1,
        "complained": 1,
        "unsubscribed": 1,
    }
    assert rows["B"].outcome.__dict__ == {
        "bounced": 2,
        "complained": 0,
        "unsubscribed": 1,
    }
    assert rows["Draft"].outcome is None
    for header in ["Sent", "Bounced", "Complained", "Unsub\u00adscribed after it"]:
        assert f">{header}<" in response.text
    assert '4 <span class="quiet">of 4</span>' not in response.text  # A: 6 of 6
    assert '6 <span class="quiet">of 6</span>' in response.text
    detail = admin_client.get(change_url(b)).text
    assert "2 bounced, 0 complained, 1 unsubscribed after it" in detail


def test_edition_list_queries_do_not_grow_with_the_editions(
    admin_client, two_sent_editions
):
    """The outcomes are counted for the whole page at once, not per row."""

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(EDITIONS).status_code == 200
        return len(queries)

    few = count_queries()
    for number in range(5):
        edition = EditionFactory(status="sent", started_at=NOW + timedelta(number))
        edition.deliveries.create(subscriber=SubscriberFactory(), status="sent")
    many = count_queries()

    assert many == few


def test_edition_list_query_budget(
    admin_client, two_sent_editions, django_assert_num_queries
):
    admin_client.get(EDITIONS)  # sessions and permissions cached as on a real site
    # 1 session, 1 user, 1 count of all editions, 1 count after filters,
    # 1 editions with delivery counts, 1 bounces and complaints per edition,
    # 1 unsubscriptions per edition
    with django_assert_num_queries(7):
        admin_client.get(EDITIONS)


# The subscriber admin: bounced and complained, and their history -------------
def test_bounced_and_complained_subscribers_can_be_listed(admin_client):
    bounced = SubscriberFactory(email="bounced@example.com")
    bounced.status, bounced.suppression_reason = "suppressed", "hard-bounce"
    bounced.save()
    complained = SubscriberFactory(email="angry@example.com")
    complained.status, complained.suppression_reason = "suppressed", "complaint"
    complained.save()
    SubscriberFactory(email="happy@example.com")

    by_reason = admin_client.get(
        "/admin/newsletter/subscriber/", {"suppression_reason": "complaint"}
    )
    suppressed = admin_client.get(
        "/admin/newsletter/subscriber/", {"status__exact": "suppressed"}
    )

    assert [s.email for s in by_reason.context["cl"].result_list] == [
        "angry@example.com"
    ]
    assert {s.email for s in suppressed.context["cl"].result_list} == {
        "bounced@example.com",
        "angry@example.com",
    }


def test_subscriber_page_shows_editions_received_and_mail_events(
    admin_client, two_sent_editions
):
    cy = SubscriberFactory._meta.model.objects.get(email="cy@example.com")

    page = admin_client.get(f"/admin/newsletter/subscriber/{cy.pk}/change/").text

    assert page.index(">B</a>: sent on") < page.index(">A</a>: sent on")
    assert "Bounces and complaints" in page
    assert "Hard bounce" in page and "postmark" in page
