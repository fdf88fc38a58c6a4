"""The editorial roles: who may write, change and publish what.

Two groups, created by a data migration and kept up to date by
``apply_role_permissions``:

- Editors manage everything editorial (articles, authors, topics, the
  newsletter) and publish, and read the readers' figures.
- Writers add articles and change their own drafts; they cannot publish.

Whether a user may change *every* article, or only their own drafts, follows
from the ``articles.publish_article`` permission: whoever may publish is an
editor. The admin asks the functions below, so the rules live in one place.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

from .publication import is_published_or_scheduled

EDITORS = "Editors"
WRITERS = "Writers"

PUBLISH_PERMISSION = "articles.publish_article"
PUBLISH_CODENAME = "publish_article"
PUBLISH_NAME = "Can publish articles"

# Editors get every permission of these apps' models, including models added
# later: a new newsletter migration calls apply_role_permissions for its models.
EDITOR_APPS = ("articles", "taggit", "newsletter", "subscriber_imports", "audience")
WRITER_PERMISSIONS = (
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
    # The media library: writers pick images and upload new ones; editors
    # change and delete them.
    ("articles", "add_mediaimage"),
    ("articles", "view_mediaimage"),
)


def apply_role_permissions(apps=global_apps, schema_editor=None) -> None:
    """Create the Editors and Writers groups and (re)grant their permissions.

    Usable as ``RunPython(apply_role_permissions, RunPython.noop)`` in a
    migration that depends on ``("articles", "0003_editor_roles")``, for
    example the newsletter migration adding its first models: it creates the
    permissions of the apps it needs first, since on a fresh database they only
    appear after the last migration has run. Permissions are only ever added,
    so a grant made by hand in the admin is kept.
    """
    using = schema_editor.connection.alias if schema_editor else "default"
    for label in EDITOR_APPS:
        try:
            # The installed app config says whether the app has models at all;
            # the historical ``apps`` give the models as of this migration.
            app_config = global_apps.get_app_config(label)
        except LookupError:
            continue
        create_permissions(app_config, apps=apps, verbosity=0, using=using)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    article_type, _ = ContentType.objects.using(using).get_or_create(
        app_label="articles", model="article"
    )
    Permission.objects.using(using).get_or_create(
        content_type=article_type,
        codename=PUBLISH_CODENAME,
        defaults={"name": PUBLISH_NAME},
    )

    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.using(using).filter(content_type__app_label__in=EDITOR_APPS)
    )

    writers, _ = Group.objects.using(using).get_or_create(name=WRITERS)
    for app_label, codename in WRITER_PERMISSIONS:
        writers.permissions.add(
            *Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
        )


def remove_role_groups(apps=global_apps, schema_editor=None) -> None:
    """Undo ``apply_role_permissions``: delete both groups (users stay)."""
    using = schema_editor.connection.alias if schema_editor else "default"
    Group = apps.get_model("auth", "Group")
    Group.objects.using(using).filter(name__in=[EDITORS, WRITERS]).delete()


def can_publish(user) -> bool:
    return user.has_perm(PUBLISH_PERMISSION)


def can_create_topics(user) -> bool:
    """Only editors add topics: a writer's typo must not become a public page."""
    return user is not None and user.has_perm("taggit.add_tag")


def author_of(user):
    """The author profile linked to ``user``, or None (cached on the user)."""
    from .models import Author

    try:
        return user.author
    except (Author.DoesNotExist, AttributeError):
        return None


def is_own_article(user, article) -> bool:
    author = author_of(user)
    return author is not None and article.author_id == author.pk


def can_view_article(user, article) -> bool:
    """Editors see every article in the admin; writers only their own."""
    return can_publish(user) or is_own_article(user, article)


def can_change_article(user, article) -> bool:
    """Editors change every article; writers only their own drafts."""
    if can_publish(user):
        return True
    return not is_published_or_scheduled(article) and is_own_article(user, article)


def visible_articles_q(user):
    """Articles whose existence, title and state ``user`` may learn in the admin.

    Editors see every article; writers their own and the live ones (public
    anyway). Whatever else exists must look, to a writer, exactly like an
    article that does not exist: in lists, pickers, previews, "Read more"
    checks and messages.
    """
    from django.db.models import Q

    from .models import ArticleQuerySet

    if can_publish(user):
        return Q()
    author = author_of(user)
    own = Q(author=author) if author is not None else Q(pk__in=[])
    return own | ArticleQuerySet.live_q()
