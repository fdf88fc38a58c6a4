"""Create the Editors and Writers groups with their permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

# A frozen copy of what this migration ran from articles/roles.py: a later
# change of the roles must not change what an old migration does.
EDITORS = "Editors"
WRITERS = "Writers"
EDITOR_APPS = ("articles", "taggit", "newsletter")
WRITER_PERMISSIONS = (
    ("articles", "add_article"),
    ("articles", "change_article"),
    ("articles", "view_article"),
)


def apply_role_permissions(apps, schema_editor):
    """Create both groups and grant them their permissions (only ever adds)."""
    using = schema_editor.connection.alias
    for label in EDITOR_APPS:
        try:
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
        codename="publish_article",
        defaults={"name": "Can publish articles"},
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


def remove_role_groups(apps, schema_editor):
    """Undo ``apply_role_permissions``: delete both groups (users stay)."""
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(
        name__in=[EDITORS, WRITERS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_discovery_search"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
    ]

    operations = [
        migrations.RunPython(apply_role_permissions, remove_role_groups),
    ]
