"""Editors and Writers: each boundary proved through the admin's own views."""

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from articles.models import Article, State
from articles.roles import (
    EDITORS,
    WRITERS,
    apply_role_permissions,
    remove_role_groups,
)
from articles.services import article_write
from tests.articles.admin_forms import (
    add_url,
    article_form,
    change_url,
    changelist_url,
    publish,
)
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def codenames(group_name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related(
            "content_type"
        )
    }


@pytest.fixture
def own_draft(writer):
    return ArticleFactory(
        title="Wanda's draft",
        slug="wandas-draft",
        author=writer.author,
        status=Article.Status.DRAFT,
        published_at=None,
    )


@pytest.fixture
def others_draft(other_writer):
    return ArticleFactory(
        title="Walt's draft",
        author=other_writer.author,
        status=Article.Status.DRAFT,
        published_at=None,
    )


# -- The groups, from the data migration -----------------------------------


def test_migration_gives_editors_everything_editorial_and_publishing():
    granted = codenames(EDITORS)

    assert "articles.publish_article" in granted
    for model in ("article", "author", "slugredirect"):
        for action in ("add", "change", "delete", "view"):
            assert f"articles.{action}_{model}" in granted
    assert {"taggit.add_tag", "taggit.change_tag", "taggit.delete_tag"} <= granted
    # Accounts stay with superusers: an editor could otherwise make themselves one.
    assert not any(name.startswith("auth.") for name in granted)


def test_migration_gives_writers_only_adding_and_changing_articles():
    # And picking from the media library, or adding to it (issue 24).
    assert codenames(WRITERS) == {
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.add_mediaimage",
        "articles.view_mediaimage",
    }


def test_role_groups_are_created_on_a_fresh_database_from_historical_models():
    """What 0003 does when no permission exists yet (they appear post-migrate)."""
    Group.objects.filter(name__in=[EDITORS, WRITERS]).delete()
    Permission.objects.filter(content_type__app_label="articles").delete()
    state = MigrationExecutor(connection).loader.project_state(
        ("articles", "0003_editor_roles")
    )

    apply_role_permissions(state.apps)

    assert "articles.publish_article" in codenames(EDITORS)
    assert "articles.change_article" in codenames(EDITORS)
    assert codenames(WRITERS) == {
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
    }


def test_reversing_the_migration_removes_both_groups_but_keeps_the_logins(
    editor, writer
):
    remove_role_groups()

    assert not Group.objects.filter(name__in=[EDITORS, WRITERS]).exists()
    assert editor.__class__.objects.filter(pk__in=[editor.pk, writer.pk]).count() == 2

    apply_role_permissions()  # Migrating forward again restores them.
    assert "articles.publish_article" in codenames(EDITORS)


def test_reapplying_roles_grants_editors_new_newsletter_models_but_not_writers():
    """The newsletter migration calls apply_role_permissions for its models."""
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.remove(
        *Permission.objects.filter(content_type__app_label="newsletter")
    )
    assert not any(name.startswith("newsletter.") for name in codenames(EDITORS))

    apply_role_permissions()
    apply_role_permissions()  # Running it again changes nothing.

    assert {
        "newsletter.view_subscriber",
        "newsletter.change_subscriber",
    } <= codenames(EDITORS)
    assert not any(name.startswith("newsletter.") for name in codenames(WRITERS))


def test_reapplying_roles_keeps_grants_made_by_hand():
    writers = Group.objects.get(name=WRITERS)
    writers.permissions.add(Permission.objects.get(codename="view_author"))

    apply_role_permissions()

    assert "articles.view_author" in codenames(WRITERS)


# -- Writers -----------------------------------------------------------------


def test_writer_adds_an_article_credited_to_themselves_as_a_draft(
    writer, writer_client, other_writer
):
    response = writer_client.post(
        add_url(),
        article_form(
            author=other_writer.author.pk,
            status="published",
            published_at_0="2026-01-01",
            published_at_1="09:00",
            featured="on",
        ),
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert article.author == writer.author
    form_page = writer_client.get(add_url())
    assert f"Your articles are credited to {writer.author}." in form_page.text
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert not article.featured


def test_writer_posting_published_to_own_draft_still_has_a_draft(
    writer_client, own_draft
):
    response = writer_client.post(
        change_url(own_draft),
        article_form(
            title="Wanda's better draft",
            slug="wandas-draft",
            status="published",
            published_at_0="2026-01-01",
            published_at_1="09:00",
            featured="on",
        ),
    )

    assert response.status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.title == "Wanda's better draft"
    assert own_draft.status == Article.Status.DRAFT
    assert own_draft.published_at is None
    assert not own_draft.featured


def test_writer_sees_publishing_fields_read_only(writer_client, own_draft):
    response = writer_client.get(change_url(own_draft))

    form = response.context["adminform"].form
    assert "status" not in form.fields
    assert "published_at" not in form.fields
    assert "featured" not in form.fields
    assert "Only editors publish" in response.text


def test_another_writers_draft_looks_missing_to_a_writer(writer_client, others_draft):
    """Not a 403: that would tell the writer the draft exists."""
    before = others_draft.title
    missing_id = others_draft.pk + 1000

    shown = writer_client.get(change_url(others_draft), follow=True)
    missing = writer_client.get(
        reverse("admin:articles_article_change", args=[missing_id]), follow=True
    )
    assert shown.redirect_chain == missing.redirect_chain
    assert shown.redirect_chain == [(reverse("admin:index"), 302)]
    assert [str(m) for m in shown.context["messages"]] == [
        str(m).replace(str(missing_id), str(others_draft.pk))
        for m in missing.context["messages"]
    ]
    posted = writer_client.post(
        change_url(others_draft), article_form(title="Hijacked", slug="hijacked")
    )
    assert posted.status_code == 302
    others_draft.refresh_from_db()
    assert others_draft.title == before
    preview = reverse("admin:articles_article_preview", args=[others_draft.pk])
    assert writer_client.get(preview).status_code == 404


def test_writer_gets_403_on_another_writers_live_article(writer_client, others_draft):
    others_draft.status = Article.Status.PUBLISHED
    others_draft.published_at = datetime(2024, 1, 1, tzinfo=UTC)
    article_write(article=others_draft)
    before = others_draft.title

    assert writer_client.get(change_url(others_draft)).status_code == 403
    posted = writer_client.post(
        change_url(others_draft), article_form(title="Hijacked", slug="hijacked")
    )
    assert posted.status_code == 403
    others_draft.refresh_from_db()
    assert others_draft.title == before


def test_writer_list_shows_only_their_own_articles(
    writer_client, own_draft, others_draft
):
    ArticleFactory(title="A live one by someone else")

    response = writer_client.get(changelist_url())

    assert [a.title for a in response.context["cl"].result_list] == ["Wanda's draft"]


def test_writer_cannot_change_their_article_once_published(writer, writer_client):
    live = ArticleFactory(author=writer.author, title="Wanda live")

    page = writer_client.get(change_url(live))
    posted = writer_client.post(
        change_url(live), article_form(title="Changed", slug=live.slug)
    )

    assert page.status_code == 200  # Read-only: they may look at their own.
    assert page.context["adminform"].form.fields == {}
    assert posted.status_code == 403
    live.refresh_from_db()
    assert live.title == "Wanda live"


def test_writer_cannot_run_publishing_actions(writer_client, own_draft):
    page = writer_client.get(changelist_url())
    action_form = page.context["action_form"]
    offered = (
        {name for name, _ in action_form.fields["action"].choices}
        if action_form
        else set()
    )
    assert not {"publish_now", "unpublish", "feature", "unfeature"} & offered

    writer_client.post(
        changelist_url(),
        {"action": "publish_now", "_selected_action": [own_draft.pk]},
    )

    own_draft.refresh_from_db()
    assert own_draft.status == Article.Status.DRAFT


def test_writer_cannot_delete_articles(writer_client, own_draft):
    delete = reverse("admin:articles_article_delete", args=[own_draft.pk])

    assert writer_client.post(delete, {"post": "yes"}).status_code == 403
    assert Article.objects.filter(pk=own_draft.pk).exists()


def test_writer_cannot_open_authors_or_topics(writer_client):
    assert (
        writer_client.get(reverse("admin:articles_author_changelist")).status_code
        == 403
    )
    assert (
        writer_client.get(reverse("admin:articles_topic_changelist")).status_code == 403
    )


def test_writer_does_not_see_the_newsletter_or_subscribers(
    writer_client, editor_client
):
    newsletter_admins = [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "newsletter"
    ]
    assert newsletter_admins  # subscribers and editions at least

    writer_index = writer_client.get(reverse("admin:index"))
    editor_index = editor_client.get(reverse("admin:index"))

    writer_apps = {app["app_label"] for app in writer_index.context["app_list"]}
    editor_apps = {app["app_label"] for app in editor_index.context["app_list"]}
    assert "newsletter" not in writer_apps
    assert "newsletter" in editor_apps
    for model_admin in newsletter_admins:
        opts = model_admin.opts
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert writer_client.get(url).status_code == 403
        answer = editor_client.get(url)
        if opts.model_name == "newslettersettings":
            # A one-row admin: its list is the row's own page.
            assert answer.status_code == 302
            answer = editor_client.get(answer.url)
        assert answer.status_code == 200


def test_writer_index_shows_articles_only(writer_client):
    response = writer_client.get(reverse("admin:index"))

    apps = {
        app["app_label"]: [model["object_name"] for model in app["models"]]
        for app in response.context["app_list"]
    }
    # And the media library, to pick images from (issue 24).
    assert apps == {"articles": ["Article", "MediaImage"]}


def test_writer_without_an_author_profile_is_told_why_they_cannot_add():
    login = UserFactory(username="new-writer", is_staff=True)
    login.groups.add(Group.objects.get(name=WRITERS))
    client = Client()
    client.force_login(login)

    response = client.get(add_url(), follow=True)

    assert response.redirect_chain[-1][0] == changelist_url()
    assert "not linked to an author" in response.text


def test_writer_may_pick_live_articles_but_not_others_drafts_as_related(
    writer_client, others_draft
):
    ArticleFactory(title="Walt's live advice")

    found = writer_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "related",
            "term": "walt",
        },
    ).json()

    assert [item["text"] for item in found["results"]] == ["Walt's live advice"]


# -- Editors and other logins -------------------------------------------------


def test_editor_changes_and_publishes_a_writers_draft(editor_client, own_draft, now):
    response = editor_client.post(
        change_url(own_draft),
        article_form(
            title="Wanda's draft",
            slug="wandas-draft",
            author=own_draft.author.pk,
            _publish="1",
        ),
    )
    assert response.status_code == 302
    assert own_draft.__class__.objects.get().state == State.DRAFT  # asks first
    publish(editor_client, own_draft)

    own_draft.refresh_from_db()
    assert own_draft.is_live
    assert own_draft.published_at == now


def test_staff_login_without_a_role_cannot_see_articles():
    login = UserFactory(username="staff-only", is_staff=True)
    client = Client()
    client.force_login(login)

    assert client.get(changelist_url()).status_code == 403
    assert client.get(add_url()).status_code == 403
    topics = reverse("admin:articles_article_topics")
    assert client.get(topics, {"q": "a"}).status_code == 403


def test_local_editor_account_is_an_editor_not_a_superuser(settings, author, now):
    settings.DEBUG = True
    call_command("create_local_editor", stdout=None)
    client = Client()
    # Through the login form, as a person does (and as django-axes watches).
    login = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "careerhub-editor"},
    )
    assert login.status_code == 302

    posted = client.post(add_url(), article_form(author=author.pk), follow=True)
    publish(client)
    listed = client.post(
        changelist_url(),
        {
            "action": "unpublish",
            "_selected_action": [Article.objects.get().pk],
            "post": "yes",
        },
        follow=True,
    )

    login = posted.wsgi_request.user
    assert login.is_staff and not login.is_superuser
    assert list(login.groups.values_list("name", flat=True)) == [EDITORS]
    assert Article.objects.get().state == State.DRAFT
    assert "1 article unpublished (back to draft)." in listed.text
    assert client.get(reverse("admin:articles_author_add")).status_code == 200
    assert client.get(reverse("admin:articles_topic_changelist")).status_code == 200
