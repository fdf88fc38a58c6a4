"""The role groups come from migrations that freeze what they run: a later
change of live code cannot change what an old migration does."""

import ast
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.roles import EDITOR_APPS, EDITORS, WRITER_PERMISSIONS, WRITERS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TASK_QUEUE_VIEW = ("django_tasks_database", "view_dbtaskresult")


def granted(group_name):
    return set(
        Group.objects.get(name=group_name).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )


def test_migrated_groups_hold_what_the_roles_module_declares():
    declared = set(
        Permission.objects.filter(content_type__app_label__in=EDITOR_APPS).values_list(
            "content_type__app_label", "codename"
        )
    )
    # newsletter 0004 added MailEvent without re-granting the roles: on a
    # migrated database only ``apply_role_permissions`` (create_local_editor)
    # gives editors its permissions.
    not_granted_by_migrations = {
        ("newsletter", f"{action}_mailevent")
        for action in ("add", "change", "delete", "view")
    }

    assert granted(WRITERS) == set(WRITER_PERMISSIONS)
    assert granted(EDITORS) == (declared - not_granted_by_migrations) | {
        TASK_QUEUE_VIEW
    }


def task_queue_migration():
    return importlib.import_module(
        "articles.migrations.0013_editors_see_the_task_queue"
    )


def historical_apps():
    return (
        MigrationExecutor(connection)
        .loader.project_state(("articles", "0013_editors_see_the_task_queue"))
        .apps
    )


def test_the_articles_app_grants_editors_the_task_queue_reversibly():
    migration = task_queue_migration()
    schema_editor = SimpleNamespace(connection=connection)

    migration.revoke(historical_apps(), schema_editor)
    assert TASK_QUEUE_VIEW not in granted(EDITORS)

    migration.grant(historical_apps(), schema_editor)
    migration.grant(historical_apps(), schema_editor)  # changes nothing
    assert TASK_QUEUE_VIEW in granted(EDITORS)
    assert TASK_QUEUE_VIEW not in granted(WRITERS)


def test_a_database_granted_by_the_former_migration_keeps_its_own_choice():
    """taskqueue 0001 made the grant before; an editor's revocation since stays."""
    migration = task_queue_migration()
    schema_editor = SimpleNamespace(connection=connection)
    migration.revoke(historical_apps(), schema_editor)  # revoked by hand
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES (%s, %s, CURRENT_TIMESTAMP)",
            migration.FORMER,
        )

    migration.grant(historical_apps(), schema_editor)

    assert TASK_QUEUE_VIEW not in granted(EDITORS)
    migration.grant(historical_apps(), schema_editor)  # the record is taken over
    assert TASK_QUEUE_VIEW in granted(EDITORS)


def project_packages():
    return {config.name.split(".")[0] for config in apps.get_app_configs()} & {
        path.parent.name for path in ROOT.glob("*/apps.py")
    }


def live_imports(path, packages):
    """Project modules ``path`` imports, but a model module (Django writes
    those for a field's callable default or ``limit_choices_to``)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] in packages and parts[1:] != ["models"]:
                found.append(name)
    return found


def test_migrations_import_no_live_project_code():
    packages = project_packages()
    assert {"articles", "newsletter", "httpguard", "taskqueue"} <= packages
    imports = {
        str(path.relative_to(ROOT)): live_imports(path, packages)
        for package in packages
        for path in (ROOT / package / "migrations").glob("*.py")
    }

    assert {path: found for path, found in imports.items() if found} == {}
