"""The backup procedure of deploy/BACKUP.md, run for real: pg_dump the
database, restore it into a fresh one, and the site serves the same article."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from tests.factories import ArticleFactory
from tests.services import require

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SERVE = """
from django.test import Client
response = Client().get({path!r}, headers={{"host": "localhost"}})
print(response.status_code)
print({title!r} in response.text)
"""


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("pg_dump backups are for PostgreSQL")


@pytest.fixture
def restored_name():
    """A database name for the restore, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_a_restored_pg_dump_serves_the_same_article(tmp_path, restored_name):
    pg_dump, pg_restore = require("pg_dump"), require("pg_restore")
    article = ArticleFactory(title="Asking for a pay rise", body="Know your worth.")
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": db["HOST"],
        "PGPORT": str(db["PORT"]),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
    }
    dump = tmp_path / "careerhub.dump"

    # The commands of BACKUP.md: a custom-format dump, restored without owners.
    subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", f"--file={dump}", db["NAME"]],
        env=env,
        check=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    subprocess.run(
        [
            pg_restore,
            "--no-owner",
            "--exit-on-error",
            f"--dbname={restored_name}",
            dump,
        ],
        env=env,
        check=True,
    )

    served = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            SERVE.format(path=article.get_absolute_url(), title=article.title),
        ],
        cwd=settings.BASE_DIR,
        env={
            **env,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@"
            f"{db['HOST']}:{db['PORT']}/{restored_name}",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert served.stdout.split()[-2:] == ["200", "True"], served.stderr
