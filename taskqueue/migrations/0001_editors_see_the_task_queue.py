from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

from articles.roles import EDITORS


def grant(apps, schema_editor):
    """Editors may view the task queue (not change it; nobody may)."""
    using = schema_editor.connection.alias
    create_permissions(
        global_apps.get_app_config("django_tasks_database"),
        apps=apps,
        verbosity=0,
        using=using,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label="django_tasks_database",
            codename="view_dbtaskresult",
        )
    )


def revoke(apps, schema_editor):
    # Through the link table: in a backwards run the group's relation may be
    # rendered against another copy of the historical Permission model, which
    # ``group.permissions.remove(permission)`` refuses as the wrong type.
    Group = apps.get_model("auth", "Group")
    Group.permissions.through.objects.using(schema_editor.connection.alias).filter(
        group__name=EDITORS,
        permission__content_type__app_label="django_tasks_database",
        permission__codename="view_dbtaskresult",
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_editor_roles"),
        ("django_tasks_database", "0013_separate_exception_fields"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
