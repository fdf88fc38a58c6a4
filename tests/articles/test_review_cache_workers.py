"""Every worker shows a change within a second, on the default cache settings.

Two real app servers (gunicorn with one worker each, as the deploy's several
workers are separate processes), production settings (DEBUG=False) and no
CACHE_URL, so each keeps its own per-process cache. A third process edits
the database as an editor's save would; both servers must then serve the
change within 1 s: an edited title (whole cached pages, and with the page
cache off the article's <h1> and body fragments), an unpublished article, and
a scheduled article whose time comes. Runs on a file SQLite database, and
also on PostgreSQL when the suite does (the servers share the test database).
"""

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.services import Processes, free_port, wait_for_port

ROOT = Path(settings.BASE_DIR)
HOST = "careerhub.example"
SECRET = "workers-test-secret-key-" + "y" * 40
WITHIN = 1.0  # seconds from the commit to every worker serving the change


def production_env(database_url: str, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("CACHE_URL", "PAGE_CACHE_SECONDS", "DJANGO_SETTINGS_MODULE")
    }
    return {
        **env,
        "DEBUG": "False",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
        "SITE_URL": f"http://{HOST}",
        "SECURE_SSL_REDIRECT": "False",
        "DATABASE_URL": database_url,
        "EMAIL_URL": "locmem://",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """collectstatic once: production settings need the manifest."""
    root = tmp_path_factory.mktemp("static")
    manage(
        production_env("sqlite://:memory:", STATIC_ROOT=str(root)),
        "collectstatic",
        "--noinput",
        "-v0",
    )
    return root


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """A migrated SQLite file, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    manage(production_env(f"sqlite:///{path}"), "migrate", "--noinput", "-v0")
    return path


@pytest.fixture(
    params=[
        "sqlite",
        # The servers see the test database's commits.
        pytest.param("postgresql", marks=pytest.mark.django_db(transaction=True)),
    ]
)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        path = tmp_path / "site.sqlite3"
        shutil.copy(request.getfixturevalue("migrated_sqlite"), path)
        return f"sqlite:///{path}"
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("PostgreSQL runs when the suite runs on it (DATABASE_URL)")
    from django.db import connection

    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}"
        f"/{db['NAME']}"
    )


class Site:
    """Two app servers on one database, and an editor's process beside them."""

    def __init__(self, env: dict, tmp: Path):
        self.env = env
        self.processes = Processes(tmp)
        self.ports = []

    def start(self, count=2):
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        if gunicorn is None:
            pytest.skip("gunicorn is not installed")
        for n in range(count):
            port = free_port()
            env = {
                **self.env,
                "WEB_CONCURRENCY": "1",
                "GUNICORN_BIND": f"127.0.0.1:{port}",
            }
            process = self.processes.start(
                f"server-{n}",
                [gunicorn, "-c", "deploy/gunicorn.conf.py", "careerhub.wsgi"],
                cwd=ROOT,
                env=env,
            )
            wait_for_port(port, process=process, timeout=60)
            self.ports.append(port)

    def get(self, port: int, path: str) -> tuple[int, str]:
        """A reader's request: no cookie, the site's host name."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            connection.request("GET", path, headers={"Host": HOST})
            response = connection.getresponse()
            return response.status, response.read().decode()
        finally:
            connection.close()

    def edit(self, code: str) -> dict:
        """Run ``code`` in an editor's process; it sets ``result`` (a dict);
        ``committed`` is when its last change was committed."""
        script = (
            "import json, time\n"
            "from articles.models import Article\n"
            "from articles import services\n"
            "from tests.factories import ArticleFactory, AuthorFactory\n"
            "result = {}\n"
            f"{code}\n"
            "result['committed'] = time.time()\n"
            "print('RESULT=' + json.dumps(result))\n"
        )
        out = manage(self.env, "shell", "-c", script)
        line = next(x for x in out.splitlines() if x.startswith("RESULT="))
        return json.loads(line.removeprefix("RESULT="))

    def warm(self, paths):
        for port in self.ports:
            for path in paths:
                for _ in range(3):
                    self.get(port, path)

    def seconds_until_all(self, paths, shows, change, *, limit: float = 15):
        """Readers keep asking every server for ``paths`` while ``change()``
        runs (it returns when the change took effect); for each server and
        path, how long after that moment the first request that ``shows``
        what is expected was sent (None: not within ``limit`` seconds)."""
        found, deadline = {}, time.time() + limit

        def watch(port, path):
            while time.time() < deadline:
                sent = time.time()
                status, text = self.get(port, path)
                if shows(path, status, text):
                    found[(port, path)] = sent
                    return
                time.sleep(0.05)
            found[(port, path)] = None

        threads = [
            threading.Thread(target=watch, args=(port, path))
            for port in self.ports
            for path in paths
        ]
        for thread in threads:
            thread.start()
        since = change()
        for thread in threads:
            thread.join()
        return {
            key: None if sent is None else sent - since for key, sent in found.items()
        }


@pytest.fixture
def site_env(database_url, static_root, tmp_path):
    def make(**extra):
        env = production_env(database_url, STATIC_ROOT=str(static_root), **extra)
        site = Site(env, tmp_path)
        made.append(site)
        return site

    made = []
    yield make
    for site in made:
        site.processes.stop_all()


def assert_within(found: dict, what: str, site: Site):
    late = {key: value for key, value in found.items() if value is None}
    assert not late, f"{what}: never shown by {sorted(late)}\n{site.processes.logs()}"
    slow = {key: round(value, 2) for key, value in found.items() if value > WITHIN}
    assert not slow, f"{what}: shown only after (s) {slow}"


@pytest.mark.parametrize(
    "page_cache_seconds", [None, "0"], ids=["page cache on", "fragments only"]
)
def test_every_worker_shows_edits_unpublishing_and_scheduled_articles_in_a_second(
    site_env, page_cache_seconds
):
    extra = {} if page_cache_seconds is None else {"PAGE_CACHE_SECONDS": "0"}
    site = site_env(**extra)
    site.edit(
        "author = AuthorFactory(name='Dana Writer', slug='dana')\n"
        "one = ArticleFactory(title='First title', slug='one', author=author,"
        " body='The first version of the advice.')\n"
        "two = ArticleFactory(title='Soon withdrawn', slug='two', author=author)\n"
    )
    site.start()
    article, home, listing = "/articles/one/", "/", "/articles/"
    site.warm([article, home, listing, "/articles/two/"])
    for port in site.ports:
        assert "First title" in site.get(port, article)[1]

    def edit_article():  # title and body, as the editor's save writes them
        return site.edit(
            "a = Article.objects.get(slug='one')\n"
            "a.title = 'Corrected title'\n"
            "a.body = 'The corrected advice.'\n"
            "services.article_save(article=a)\n"
        )["committed"]

    def corrected(path, status, text):
        shown = status == 200 and "Corrected title" in text
        if path == article:  # its <h1> and body (fragments when pages are not)
            shown = shown and "corrected advice" in text and "first version" not in text
        return shown and "First title" not in text

    found = site.seconds_until_all([article, home, listing], corrected, edit_article)
    assert_within(found, "an edited article", site)

    # Unpublished: gone from its page and the list on every worker.
    site.warm(["/articles/two/", listing])
    found = site.seconds_until_all(
        ["/articles/two/", listing],
        lambda path, status, text: (
            status == 404 if path == "/articles/two/" else "Soon withdrawn" not in text
        ),
        lambda: site.edit(
            "services.article_unpublish(article=Article.objects.get(slug='two'))\n"
        )["committed"],
    )
    assert_within(found, "an unpublished article", site)

    # Scheduled a few seconds ahead: absent until then, on both workers.
    scheduled = site.edit(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "at = timezone.now() + timedelta(seconds=6)\n"
        "ArticleFactory(title='Out in a moment', slug='soon', published_at=at,"
        " author=Article.objects.get(slug='one').author)\n"
        "result['at'] = at.timestamp()\n"
    )
    time.sleep(max(0.0, scheduled["committed"] + 1 - time.time()))
    site.warm([listing, home])
    assert time.time() < scheduled["at"] - 0.5, "too slow to check before its time"
    for port in site.ports:
        assert "Out in a moment" not in site.get(port, listing)[1]
        assert site.get(port, "/articles/soon/")[0] == 404

    def its_time_comes():
        time.sleep(max(0.0, scheduled["at"] - time.time()))
        return scheduled["at"]

    found = site.seconds_until_all(
        ["/articles/soon/", listing, home],
        lambda path, status, text: status == 200 and "Out in a moment" in text,
        its_time_comes,
    )
    assert_within(found, "a scheduled article", site)
    early = {key: t for key, t in found.items() if t < -0.5}
    assert not early, f"shown before its time (s): {early}"


@pytest.mark.parametrize("setting", ["redis", "dummy", "debug"])
def test_every_worker_shows_an_edit_on_every_cache_setting(site_env, setting):
    """Redis (the marker in the shared cache), a cache that keeps nothing, and
    development settings (DEBUG: fragments only)."""
    if setting == "redis":
        from tests.services import start_redis

        site = site_env()
        site.env["CACHE_URL"] = start_redis(site.processes)
    elif setting == "dummy":
        site = site_env(CACHE_URL="dummy://")
    else:
        site = site_env(DEBUG="True")
    site.edit("ArticleFactory(title='First title', slug='one', body='First.')\n")
    site.start()
    site.warm(["/articles/one/", "/"])

    def edit_article():
        return site.edit(
            "a = Article.objects.get(slug='one')\n"
            "a.title = 'Corrected title'\n"
            "services.article_save(article=a)\n"
        )["committed"]

    found = site.seconds_until_all(
        ["/articles/one/", "/"],
        lambda path, status, text: (
            "Corrected title" in text and "First title" not in text
        ),
        edit_article,
    )
    assert_within(found, f"an edit ({setting})", site)
