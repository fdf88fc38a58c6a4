"""The embedded default under load (review item 5): `make run` serves readers
and saves editors' work while the task worker runs, all on one SQLite file.

A writer (an editor's admin saves: read the article, save it, set its topics,
sometimes a new article published), the task worker (``manage.py db_worker``)
and two readers (HTTP GETs against ``runserver``) run at once as separate
processes on a file database, with the settings a new user gets. Not one of
them may meet "database is locked".

The processes run this module as a script (``python -m tests.test_review_sqlite
_concurrency writer ...``); the test itself needs no test database.
"""

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import Processes, free_port, wait_for_port

ROOT = Path(settings.BASE_DIR)
MODULE = "tests.test_review_sqlite_concurrency"
SAVES = 60


def run_script(env, *args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture
def site_env(tmp_path):
    """The default settings (DEBUG, SQLite) on a fresh file database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CACHE_URL", "PAGE_CACHE_SECONDS", "DEBUG"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="careerhub.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
        TASKS_RETRY_DELAY="1",
    )
    run_script(env, "manage.py", "migrate", "--noinput")
    run_script(env, "-m", MODULE, "seed")
    return env


def task_states(database: Path, path="articles.tasks.rank_related") -> Counter:
    """The states of the tasks the saves queued (recurring ones wait for later)."""
    db = sqlite3.connect(database, timeout=30)
    try:
        rows = db.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE ? GROUP BY status",
            [path],
        ).fetchall()
    finally:
        db.close()
    return Counter(dict(rows))


def test_writer_worker_and_readers_share_the_sqlite_file_without_errors(
    site_env, tmp_path
):
    database = Path(site_env["DATABASE_URL"].removeprefix("sqlite:///"))
    port = free_port()
    processes = Processes(tmp_path)
    stop = tmp_path / "stop"
    try:
        web = processes.start(
            "web",
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"]
            + ["--noreload"],
            cwd=ROOT,
            env=site_env,
        )
        wait_for_port(port, process=web, timeout=60)
        processes.start(
            "worker",
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1"],
            cwd=ROOT,
            env=site_env,
        )
        readers = [
            subprocess.Popen(
                [sys.executable, "-m", MODULE, "reader", str(port), str(stop)],
                cwd=ROOT,
                env=site_env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        writer = run_script(site_env, "-m", MODULE, "writer", str(SAVES))
        stop.touch()
        reads = Counter()
        for reader in readers:
            out, _ = reader.communicate(timeout=60)
            reads.update(json.loads(out.splitlines()[-1]))
        # The worker takes the tasks the saves queued (one per new article).
        deadline = time.monotonic() + 60
        while task_states(database).keys() - {"SUCCESSFUL"}:
            assert time.monotonic() < deadline, task_states(database)
            time.sleep(0.5)
        logs = processes.logs()
    finally:
        stop.touch()
        processes.stop_all()

    saves = json.loads(writer.stdout.splitlines()[-1])
    assert saves == {"saved": SAVES, "errors": []}
    assert set(reads) == {"200"}, reads
    assert reads["200"] > 100  # the readers really read while the writer wrote
    assert task_states(database)["SUCCESSFUL"] >= SAVES // 3
    assert "FAILED" not in task_states(database, "%")
    assert "database is locked" not in logs
    assert "Traceback" not in logs


# -- The processes ------------------------------------------------------------


def seed() -> None:
    from articles.models import Article, Author
    from articles.services import article_publish, article_save

    author = Author.objects.create(name="Ada Byline", slug="ada-byline")
    for n in range(6):
        article = article_save(
            article=Article(
                title=f"Seeded article {n}",
                slug=f"seeded-{n}",
                author=author,
                body="## Advice\n\nInterviews go better with practice.\n",
            )
        )
        article.tags.set(["interviews", f"topic-{n % 3}"])
        article_publish(article=article)


def writer(saves: int) -> dict:
    """An editor's admin saves, each in one transaction as the admin makes it."""
    from django.db import OperationalError, transaction

    from articles.models import Article, Author
    from articles.services import article_publish, article_save

    author = Author.objects.get()
    errors = []
    for n in range(saves):
        try:
            with transaction.atomic():
                if n % 3 == 0:  # a new article, published: the worker ranks it
                    article = article_save(
                        article=Article(
                            title=f"New article {n}",
                            slug=f"new-{n}",
                            author=author,
                            body="Salary talks need numbers.\n",
                        )
                    )
                    article.tags.set(["salary", "interviews"])
                    article_publish(article=article)
                else:
                    article = Article.objects.get(slug=f"seeded-{n % 6}")
                    article.title = f"Seeded article, edit {n}"
                    article_save(article=article)
                    article.tags.set(["interviews", f"topic-{n % 3}"])
        except OperationalError as error:
            errors.append(str(error))
        time.sleep(0.02)
    return {"saved": saves - len(errors), "errors": errors}


def reader(port: int, stop: Path) -> dict:
    """A reader browsing home, lists, topics and articles until told to stop."""
    paths = ["/", "/articles/", "/topics/", "/topics/interviews/"]
    paths += [f"/articles/seeded-{n}/" for n in range(6)]
    statuses = Counter()
    while not stop.exists():
        for path in paths:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as r:
                    statuses[str(r.status)] += 1
            except urllib.error.HTTPError as error:
                statuses[str(error.code)] += 1
    return dict(statuses)


if __name__ == "__main__":
    import django

    django.setup()
    command, *args = sys.argv[1:]
    if command == "seed":
        seed()
    elif command == "writer":
        print(json.dumps(writer(int(args[0]))))
    elif command == "reader":
        print(json.dumps(reader(int(args[0]), Path(args[1]))))
