"""One welcome mail per confirmation (Subscriber.welcome_sent_for), and the
Editors group's permissions on the newsletter settings (0007 added the model
without granting them; Writers get none)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

# Frozen here: a later change of articles/roles.py must not change this.
EDITORS = "Editors"
SETTINGS_MODEL = "newslettersettings"


def _settings_permissions(apps, using):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="newsletter", content_type__model=SETTINGS_MODEL
    )


def grant_settings_to_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    create_permissions(
        global_apps.get_app_config("newsletter"), apps=apps, verbosity=0, using=using
    )
    Group = apps.get_model("auth", "Group")
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(*_settings_permissions(apps, using))


def revoke_settings_from_editors(apps, schema_editor):
    using = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    editors = Group.objects.using(using).filter(name=EDITORS).first()
    if editors is not None:
        editors.permissions.remove(*_settings_permissions(apps, using))


class Migration(migrations.Migration):
    dependencies = [
        ("newsletter", "0008_import_subscriber_source"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="welcome_sent_for",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(grant_settings_to_editors, revoke_settings_from_editors),
    ]
