"""An editable description per topic (taggit tag), in a side table."""

import django.db.models.deletion
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

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


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_publish_permission"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
    ]

    operations = [
        migrations.CreateModel(
            name="TopicDescription",
            fields=[
                (
                    "tag",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="topic_description",
                        serialize=False,
                        to="taggit.tag",
                        verbose_name="topic",
                    ),
                ),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="A sentence or two under the topic's name on its page and in the topics index: what readers find here.",
                        max_length=300,
                    ),
                ),
            ],
            options={
                "verbose_name": "topic description",
            },
        ),
        # Editors may edit the new descriptions.
        migrations.RunPython(apply_role_permissions, migrations.RunPython.noop),
    ]
