"""Parts of the production stack failing under load, for real: gunicorn (two
sync workers, DEBUG off, as deployed) on a PostgreSQL cluster of the test's
own and a Redis, with readers and sign-ups arriving from four threads while
the test stops and starts the database or the cache.

- PostgreSQL stopped (``pg_ctl stop -m fast``, as a restart does) for a few
  seconds: pages already in the page cache are still served; others, and
  sign-ups, get 503 with Retry-After; every sign-up answered "check your
  inbox" is in the database with its confirmation task, every other one was
  told to send again with the address kept in the form; and all is normal
  again once it is back, with the same gunicorn (no restart).
- Redis killed: every page and sign-up still answered, none with a 5xx;
  the page cache is filled again once Redis is back.

Its own cluster (the shared one serves everybody's tests), so run once, in
the PostgreSQL run of .ci/run, like tests/deploy/test_smoke.py.
"""

import http.client
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings

from tests.resilience import PostgresCluster, RedisServer
from tests.services import Processes, free_port, wait_for_port

pytestmark = pytest.mark.postgres

ROOT = Path(settings.BASE_DIR)
RETRY_AFTER = "5"
ARTICLE = "/articles/ask-for-the-raise/"
SEED = """
import django
django.setup()
from tests.factories import ArticleFactory
ArticleFactory(title="Ask for the raise", slug="ask-for-the-raise")
"""


@pytest.fixture(scope="module", autouse=True)
def _needs_postgres():
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        pytest.skip("run once, in the PostgreSQL run (.ci/run)")


@dataclass
class Answer:
    kind: str  # cached (a page in the page cache), page (rendered), signup
    sent: float  # time.monotonic()
    took: float
    status: int
    retry_after: str | None
    body: str
    email: str = ""


class Stack:
    def __init__(self, port, cluster, redis, gunicorn):
        self.port, self.cluster, self.redis = port, cluster, redis
        self.gunicorn = gunicorn
        self.numbers = itertools.count()

    def request(self, method, path, body=None) -> tuple[int, str | None, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Host": "127.0.0.1"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            return response.status, response.getheader("Retry-After"), text
        finally:
            conn.close()

    def one(self, kind: str) -> Answer:
        n = next(self.numbers)
        email = ""
        if kind == "cached":
            call = ("GET", ARTICLE, None)
        elif kind == "page":  # a search nobody made before: rendered
            call = ("GET", f"/search/?q=raise{n}", None)
        else:
            email = f"load{n}@example.com"
            body = urllib.parse.urlencode({"email": email, "source": ARTICLE})
            call = ("POST", "/newsletter/", body)
        sent = time.monotonic()
        status, retry_after, text = self.request(*call)
        return Answer(
            kind, sent, time.monotonic() - sent, status, retry_after, text, email
        )

    def load(self, seconds_before, outage, seconds_after, threads=4):
        """Requests from ``threads`` threads while ``outage(start, end)``
        runs; returns the answers and the outage's (start, end) moments."""
        answers, stop = [], threading.Event()

        def reader():
            for kind in itertools.cycle(["cached", "page", "signup"]):
                if stop.is_set():
                    return
                answers.append(self.one(kind))

        workers = [threading.Thread(target=reader) for _ in range(threads)]
        for worker in workers:
            worker.start()
        try:
            time.sleep(seconds_before)
            window = outage()
            time.sleep(seconds_after)
        finally:
            stop.set()
            for worker in workers:
                worker.join(timeout=30)
        return answers, window


def run(env, *args):
    subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    logs = tmp_path_factory.mktemp("stack")
    processes = Processes(logs)
    folder = Path(tempfile.mkdtemp(prefix="careerhub-pg-"))
    cluster = PostgresCluster(folder, free_port())
    try:
        cluster.create()
        redis = RedisServer(processes, free_port())
        redis.start()
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "False",
            "SECRET_KEY": "resilience-test-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "DATABASE_URL": cluster.url,
            "DATABASE_CONNECT_TIMEOUT": "2",
            "CACHE_URL": redis.url,
            "EMAIL_URL": "locmem://",
            "RETRY_AFTER_SECONDS": RETRY_AFTER,
            # Every request comes from one address here.
            "NEWSLETTER_RATE_LIMIT": "100000/hour",
            "PAGE_CACHE_CLIENT_PAGES_PER_MINUTE": "0",
            "STATIC_ROOT": str(logs / "static"),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_ACCESS_LOG": str(logs / "access.log"),
            "PYTHONUNBUFFERED": "1",
        }
        run(env, "manage.py", "migrate", "--noinput", "-v0")
        run(env, "manage.py", "collectstatic", "--noinput", "-v0")
        run(env, "-c", SEED)
        gunicorn = processes.start(
            "gunicorn",
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "careerhub.wsgi",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_for_port(port, process=gunicorn, timeout=60)
        yield Stack(port, cluster, redis, gunicorn)
    except BaseException:
        print(processes.logs())
        raise
    finally:
        processes.stop_all()
        cluster.remove()


def summary(answers) -> str:
    counts = {}
    for a in answers:
        counts[(a.kind, a.status)] = counts.get((a.kind, a.status), 0) + 1
    slowest = max(a.took for a in answers)
    return f"{len(answers)} requests {sorted(counts.items())}, slowest {slowest:.2f} s"


def within(answers, start, end, kind):
    return [a for a in answers if a.kind == kind and start <= a.sent < end - a.took]


def test_postgres_restarted_under_load(stack):
    for _ in range(2):  # the article into the page cache
        assert stack.request("GET", ARTICLE)[0] == 200

    def outage():
        stack.cluster.stop()
        down = time.monotonic()
        time.sleep(4)
        up = time.monotonic()
        stack.cluster.start()
        return down, up

    answers, (down, up) = stack.load(2, outage, 6)
    print(summary(answers))

    assert {a.status for a in answers} <= {200, 503}, summary(answers)
    for answer in answers:
        if answer.status == 503:
            assert answer.retry_after == RETRY_AFTER
    # While it was down: cached pages served, the rest asked to come back.
    assert {a.status for a in within(answers, down, up, "cached")} == {200}
    for kind in ("page", "signup"):
        assert {a.status for a in within(answers, down, up, kind)} == {503}, kind
    # Back to normal within seconds of its return, with the same gunicorn.
    assert {a.status for a in answers if a.sent > up + 3} == {200}
    assert stack.gunicorn.poll() is None
    assert_no_sign_up_lost(stack, [a for a in answers if a.kind == "signup"])


def assert_no_sign_up_lost(stack, sign_ups):
    with psycopg.connect(
        f"host=127.0.0.1 port={stack.cluster.port} user=careerhub dbname=careerhub"
    ) as db:
        stored = {
            row[0]: row[1]
            for row in db.execute("SELECT email, id FROM newsletter_subscriber")
        }
        queued = {
            row[0]["kwargs"]["subscriber_id"]
            for row in db.execute(
                "SELECT args_kwargs FROM django_tasks_database_dbtaskresult "
                "WHERE task_path = 'newsletter.tasks.send_confirmation'"
            )
        }
    assert set(stored.values()) <= queued  # no row without its mail
    for answer in sign_ups:
        if answer.status == 200:
            assert "Check your inbox" in answer.body
            assert answer.email in stored
        else:
            assert "Your sign-up was not saved yet" in answer.body
            assert f'value="{answer.email}"' in answer.body  # kept to resend


def test_redis_stopped_under_load(stack):
    def outage():
        stack.redis.stop()
        down = time.monotonic()
        time.sleep(3)
        up = time.monotonic()
        stack.redis.start()
        return down, up

    # Past the breaker's 5 s after the return, so the cache is used again.
    answers, (down, up) = stack.load(2, outage, 7)
    print(summary(answers))
    assert {a.status for a in answers} == {200}, summary(answers)
    sign_ups = [a for a in answers if a.kind == "signup"]
    assert all("Check your inbox" in a.body for a in sign_ups)
    assert_no_sign_up_lost(stack, sign_ups)

    for _ in range(2):
        assert stack.request("GET", ARTICLE)[0] == 200
    assert redis.Redis.from_url(stack.redis.url).dbsize() > 0  # cached again
