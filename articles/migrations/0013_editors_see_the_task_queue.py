"""Editors may view the task queue (not change it; nobody may).

The roles are this app's, so their grants are made here: the grant was
``taskqueue/migrations/0001_editors_see_the_task_queue``, which made the
generic queue depend on this app. A database that ran that migration has the
grant already: there this one only takes the record over, so a permission
revoked by hand since stays revoked.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"  # frozen, as in 0003_editor_roles
TASKS_APP = "django_tasks_database"
CODENAME = "view_dbtaskresult"
# The migration that made this grant before it moved here.
FORMER = ("taskqueue", "0001_editors_see_the_task_queue")


def _forget_former(schema_editor) -> bool:
    """Drop the record of the former migration; whether there was one."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = %s AND name = %s", FORMER
        )
        return cursor.rowcount > 0


def grant(apps, schema_editor):
    if _forget_former(schema_editor):
        return  # granted by the former migration already
    using = schema_editor.connection.alias
    create_permissions(
        global_apps.get_app_config(TASKS_APP), apps=apps, verbosity=0, using=using
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    editors.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label=TASKS_APP, codename=CODENAME
        )
    )


def revoke(apps, schema_editor):
    # Through the link table: in a backwards run the group's relation may be
    # rendered against another copy of the historical Permission model, which
    # ``group.permissions.remove(permission)`` refuses as the wrong type.
    Group = apps.get_model("auth", "Group")
    Group.permissions.through.objects.using(schema_editor.connection.alias).filter(
        group__name=EDITORS,
        permission__content_type__app_label=TASKS_APP,
        permission__codename=CODENAME,
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_article_rank_vector"),
        ("django_tasks_database", "0013_separate_exception_fields"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
