"""Varnish between nginx and gunicorn, for real (issue 25, item 3).

The stack of test_smoke.py (nginx with TLS, gunicorn, a task worker, Redis,
on the PostgreSQL test database) with varnishd from Debian's packages and
deploy/varnish/careerhub.vcl between nginx and gunicorn. Editors' changes are
made in this process through the same services the admin calls; the purges
they enqueue are run by the real worker, which tells Varnish.
"""

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from articles.related_ranking import related_refresh
from articles.services import article_publish, article_save, article_unpublish
from careerhub.settings.frontcache import front_cache_from_url
from tests import tasks
from tests.deploy.test_smoke import HOST, ROOT, SECRET, Site, nginx_conf, render_site
from tests.factories import ArticleFactory, DraftArticleFactory
from tests.services import Processes, free_port, require, start_redis, wait_for_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

VCL = ROOT / "deploy" / "varnish" / "careerhub.vcl"
XKEY = Path("/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so")


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (the servers share the test database)")


def render_vcl(*, app_port: int) -> str:
    vcl = VCL.read_text()
    assert '.port = "8000";' in vcl, "the backend's port is no longer in the VCL"
    return vcl.replace('.port = "8000";', f'.port = "{app_port}";')


class VarnishSite(Site):
    """The site through nginx and Varnish, and the processes behind it."""

    def __init__(self, port, tmp, *, processes, gunicorn, varnish_dir):
        super().__init__(port, tmp)
        self.processes = processes
        self.gunicorn = gunicorn
        self.varnish_dir = varnish_dir

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def app_requests(self, path: str) -> int:
        """How many requests for ``path`` reached gunicorn (its access log)."""
        log = (self.tmp / "gunicorn.log").read_text(errors="replace")
        return len(re.findall(rf'"(?:GET|HEAD) {re.escape(path)} HTTP', log))

    def stop_app(self) -> None:
        os.killpg(self.gunicorn.pid, signal.SIGTERM)
        self.gunicorn.wait(timeout=30)

    def backend_health(self) -> str:
        return subprocess.run(
            ["varnishadm", "-n", str(self.varnish_dir), "backend.list"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout


def _env(tmp_path, db, *, app_port, varnish_port, redis_url, shared_seconds):
    return {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@"
        f"{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CACHE_URL": redis_url,
        "EMAIL_URL": "locmem://",
        "CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "WEB_CONCURRENCY": "2",
        "PYTHONUNBUFFERED": "1",
        "FRONT_CACHE_URL": f"varnish://127.0.0.1:{varnish_port}",
        "SHARED_CACHE_SECONDS": str(shared_seconds),
        # Past s-maxage a copy is fetched anew before it is shown, so the
        # stale pages below are the stale-if-error ones.
        "SHARED_CACHE_STALE_WHILE_REVALIDATE": "0",
        "SHARED_CACHE_STALE_IF_ERROR": "86400",
    }


def _certificate(tmp_path):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={HOST}", "-keyout", tmp_path / "key.pem"]
        + ["-out", tmp_path / "cert.pem"],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def shared_seconds():
    return 3600


@pytest.fixture
def stack(tmp_path, settings, shared_seconds):
    from django.db import connection

    nginx = require("nginx")
    varnishd = require("varnishd")
    require("openssl")
    if not XKEY.exists():
        pytest.skip(f"{XKEY} is missing (apt install varnish-modules)")
    processes = Processes(tmp_path)
    (tmp_path / "media").mkdir()
    settings.MEDIA_ROOT = tmp_path / "media"
    ports = {name: free_port() for name in ("app", "varnish", "https", "http")}
    try:
        redis_url = start_redis(processes)
        env = _env(
            tmp_path,
            connection.settings_dict,
            app_port=ports["app"],
            varnish_port=ports["varnish"],
            redis_url=redis_url,
            shared_seconds=shared_seconds,
        )
        # This process writes as the editor: its changes reach the app
        # servers' page cache (Redis), and its purges go to the worker.
        settings.CACHES = {
            "default": {
                "BACKEND": "careerhub.redis_cache.RedisCache",
                "LOCATION": redis_url,
            }
        }
        settings.FRONT_CACHE = front_cache_from_url(env["FRONT_CACHE_URL"])
        settings.TASKS = tasks.DATABASE
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        _certificate(tmp_path)
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
        processes.start(
            "worker",
            [sys.executable, "manage.py", "db_worker", "--no-reload"]
            + ["--interval", "0.1", "--worker-id", "varnish-smoke"],
            cwd=ROOT,
            env=env,
        )
        (tmp_path / "careerhub.vcl").write_text(render_vcl(app_port=ports["app"]))
        varnish_dir = tmp_path / "varnish"
        varnish = processes.start(
            "varnish",
            # No jail: the test's files are in a private temporary folder (in
            # production varnishd drops to its own users).
            [varnishd, "-F", "-j", "none", "-n", str(varnish_dir)]
            + ["-a", f"127.0.0.1:{ports['varnish']}"]
            + ["-f", str(tmp_path / "careerhub.vcl"), "-s", "malloc,64m"],
        )
        (tmp_path / "site.conf").write_text(
            render_site(
                https_port=ports["https"],
                http_port=ports["http"],
                app_port=ports["varnish"],  # nginx -> Varnish -> gunicorn
                tmp=tmp_path,
            )
        )
        (tmp_path / "nginx.conf").write_text(nginx_conf(tmp_path))
        nginx_args = [nginx, "-p", tmp_path, "-c", tmp_path / "nginx.conf"]
        nginx_args += ["-e", tmp_path / "nginx-error.log"]
        nginx_process = processes.start("nginx", [*nginx_args, "-g", "daemon off;"])
        wait_for_port(ports["app"], process=gunicorn, timeout=30)
        wait_for_port(ports["varnish"], process=varnish, timeout=30)
        wait_for_port(ports["https"], process=nginx_process)
        site = VarnishSite(
            ports["https"],
            tmp_path,
            processes=processes,
            gunicorn=gunicorn,
            varnish_dir=varnish_dir,
        )
        # A loaded machine can make a gunicorn worker's first answers (each
        # loads Django's templates and connects to the database) miss the
        # probe's timeout: Varnish then takes the backend for sick and
        # answers a miss with the 503 page until two probes out of three
        # pass. Both workers answer once, at the same time, before the tests.
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda _: _app_get(ports["app"], "/robots.txt"), [1, 2]))
        until(lambda: "healthy" in site.backend_health(), within=30, every=0.2)
        yield site
    except BaseException:
        print(processes.logs())
        raise
    finally:
        processes.stop_all()


def _app_get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "GET", path, headers={"Host": HOST, "X-Forwarded-Proto": "https"}
    )
    status = connection.getresponse().status
    connection.close()
    return status


def ranked(*articles):
    """Factory articles as a save leaves them once the worker has run: with
    their related lists ranked. A page never ranks a list itself; it asks the
    worker, whose ranking then purges the page (its content changed), which
    these tests would read as a cache miss."""
    related_refresh(article_ids=[article.pk for article in articles])
    return articles[0]


def settled():
    """Past the second purge of what was just written (every purge is sent
    again FRONT_CACHE_REPURGE_SECONDS later), so a copy Varnish stores now
    stays until its own time is up."""
    time.sleep(settings.FRONT_CACHE_REPURGE_SECONDS + 0.5)


def until(check, *, within: float, every: float = 0.05):
    """Seconds until ``check()`` is true; fails after ``within`` seconds."""
    started = time.monotonic()
    while not check():
        elapsed = time.monotonic() - started
        assert elapsed < within, f"not true after {elapsed:.2f} s"
        time.sleep(every)
    return time.monotonic() - started


def test_a_page_is_served_from_varnish_without_reaching_gunicorn(stack):
    article = ranked(ArticleFactory(title="Asking for a raise"))
    settled()  # the new article's purges are done: nothing drops the copy
    path = article.get_absolute_url()
    first, body = stack.get(path, **{"Accept-Encoding": "gzip"})
    assert first.status == 200
    assert first.getheader("X-Cache") == "MISS"
    for _ in range(20):
        response, _ = stack.get(path, **{"Accept-Encoding": "gzip"})
        assert response.status == 200
        assert response.getheader("X-Cache") == "HIT"
    assert stack.app_requests(path) == 1
    # Browsers still revalidate; the keys never leave Varnish.
    assert "max-age=0" in response.getheader("Cache-Control")
    assert response.getheader("xkey") is None
    assert response.getheader("Content-Encoding") == "gzip"
    # A client without gzip gets a plain copy of its own, fetched once (not
    # the gzipped one unzipped on every delivery); a 304 from Varnish for
    # the copy the browser has, plain or gzipped (one ETag for both).
    etag = response.getheader("ETag")
    again, body = stack.get(path, **{"If-None-Match": etag})
    assert (again.status, body) == (304, b""), stack.backend_health()
    for _ in range(3):
        plain, body = stack.get(path)
        assert plain.getheader("Content-Encoding") is None
        assert b"Asking for a raise" in body
    assert plain.getheader("X-Cache") == "HIT"
    assert stack.app_requests(path) == 2


def test_purges_come_only_from_the_app_servers(stack):
    """A PURGE through nginx carries X-Real-IP: refused whoever sends it."""
    response, _ = stack.request("PURGE", "/", headers={"xkey-purge": "all"})
    assert response.status == 405


def test_publish_edit_and_unpublish_show_through_varnish_within_a_second(stack):
    live = ArticleFactory(title="Writing a cover letter")
    draft = DraftArticleFactory(title="Preparing for a panel interview")
    ranked(live, draft)
    settled()  # the new articles' purges are done: nothing drops the copy
    page = live.get_absolute_url()
    for path in ("/", page):
        stack.get(path)
    assert stack.get("/")[0].getheader("X-Cache") == "HIT"

    article_publish(article=draft)
    took = until(lambda: b"panel interview" in stack.get("/")[1], within=1)
    print(f"publish visible after {took:.2f} s")

    live.title = "Writing a cover letter that gets read"
    article_save(article=live)
    took = until(lambda: b"that gets read" in stack.get(page)[1], within=1)
    print(f"edit visible after {took:.2f} s")

    article_unpublish(article=live)
    took = until(lambda: stack.get(page)[0].status == 404, within=1)
    print(f"unpublish visible after {took:.2f} s")
    assert b"that gets read" not in stack.get("/")[1]


def test_a_scheduled_article_appears_at_its_moment(stack):
    ArticleFactory(title="Starting a new job")
    moment = timezone.now() + timedelta(seconds=12)
    ArticleFactory(title="Leaving a job well", published_at=moment)
    settled()  # the new articles' purges are done: nothing drops the copy
    home, body = stack.get("/")
    assert timezone.now() < moment, "the machine is too slow for this schedule"
    assert b"Leaving a job well" not in body
    assert stack.get("/")[0].getheader("X-Cache") == "HIT"
    time.sleep(max((moment - timezone.now()).total_seconds(), 0))
    took = until(lambda: b"Leaving a job well" in stack.get("/")[1], within=1)
    print(f"scheduled article visible {took:.2f} s after its moment")


@pytest.mark.parametrize("shared_seconds", [1])
def test_with_gunicorn_stopped_readers_get_pages_and_sign_ups_a_503(
    stack, shared_seconds
):
    article = ranked(ArticleFactory(title="Working from home"))
    path = article.get_absolute_url()
    settled()
    assert stack.get(path)[0].status == 200
    time.sleep(1.5)  # past s-maxage: the copy is stale now
    stack.stop_app()
    until(lambda: "sick" in stack.backend_health(), within=10, every=0.2)

    response, body = stack.get(path)
    assert response.status == 200
    assert b"Working from home" in body

    started = time.monotonic()
    response, body = stack.request(
        "POST",
        "/newsletter/",
        body="email=reader%40example.com",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert time.monotonic() - started < 3
    assert response.status == 503
    assert response.getheader("Retry-After") == "60"
    # The page templates/503.html shows, in Varnish's words for the outage.
    page = body.decode()
    template = (ROOT / "templates" / "503.html").read_text()
    heading = re.search(r"<h1>(.*?)</h1>", template).group(1)
    assert f"<h1>{heading}</h1>" in page
    assert "send it again" in page
