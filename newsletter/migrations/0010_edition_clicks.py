"""Clicks per article per edition (newsletter/clicks.py), and the Editors
group's permissions on them, as articles/roles.py declares for every
newsletter model (the admin shows the counts on the edition's page only; the
redirect view alone writes them)."""

import django.db.models.deletion
from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Frozen here: a later change of articles/roles.py must not change this.
EDITORS = "Editors"
CLICK_MODEL = "editionclick"


def _click_permissions(apps, using):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="newsletter", content_type__model=CLICK_MODEL
    )


def grant_clicks_to_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(
        global_apps.get_app_config("newsletter"), apps=apps, verbosity=0, using=using
    )
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(*_click_permissions(apps, using))


def revoke_clicks_from_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.using(using).filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_click_permissions(apps, using))


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0018_media_media_library"),
        ("newsletter", "0009_merge_imports_topics_preferences"),
    ]

    operations = [
        migrations.CreateModel(
            name="EditionClick",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "clicks",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="Links followed from the mail; nobody's identity kept.",
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
                (
                    "edition",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clicks",
                        to="newsletter.edition",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("edition", "article"),
                        name="newsletter_edition_click_once",
                    )
                ],
            },
        ),
        migrations.RunPython(grant_clicks_to_editors, revoke_clicks_from_editors),
    ]
