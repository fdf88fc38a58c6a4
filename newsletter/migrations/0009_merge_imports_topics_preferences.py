"""After the import, preference and topics migrations (in one line, not
side by side: SQLite's table rebuilds, when migrating back, only come out
right along one path), gives the Editors
group the permissions of EditionVariant (0008_topics added the model without
granting them; Writers get none)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Frozen here: a later change of articles/roles.py must not change this.
EDITORS = "Editors"
VARIANT_MODEL = "editionvariant"


def _variant_permissions(apps, using):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="newsletter", content_type__model=VARIANT_MODEL
    )


def grant_variants_to_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(
        global_apps.get_app_config("newsletter"), apps=apps, verbosity=0, using=using
    )
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(*_variant_permissions(apps, using))


def revoke_variants_from_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.using(using).filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_variant_permissions(apps, using))


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0008_topics_edition_variants"),
    ]

    operations = [
        migrations.RunPython(grant_variants_to_editors, revoke_variants_from_editors),
    ]
