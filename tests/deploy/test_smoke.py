"""The production stack from deploy/, started for real on loopback.

nginx (deploy/nginx/careerhub.conf, ports and paths rewritten, a throwaway
self-signed certificate), gunicorn (deploy/gunicorn.conf.py), a task worker
and Redis, on the test database. Everything is checked through nginx, over
HTTPS, as a reader's browser would. PostgreSQL only (the processes share the
test database), so .ci/run runs it once.
"""

import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from articles.services import article_save
from newsletter.models import Subscriber
from tests.articles.image_files import image_bytes
from tests.factories import ArticleFactory
from tests.services import (
    Processes,
    free_port,
    require,
    start_redis,
    wait_for_port,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
HOST = "careerhub.example"
SECRET = "smoke-test-secret-key-" + "x" * 40


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (the servers share the test database)")


def render_site(*, https_port, http_port, app_port, tmp: Path) -> str:
    """The repository's site file with loopback ports and temporary paths."""
    site = (DEPLOY / "nginx" / "careerhub.conf").read_text()
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.MULTILINE)
    replacements = {
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(tmp / "cert.pem"),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(tmp / "key.pem"),
        "/srv/careerhub/staticfiles/": f"{tmp / 'static'}/",
        "/srv/careerhub/media/": f"{tmp / 'media'}/",
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "/etc/nginx/careerhub_proxy.conf": str(DEPLOY / "nginx/careerhub_proxy.conf"),
    }
    for old, new in replacements.items():
        assert old in site, f"{old!r} is no longer in the site file"
        site = site.replace(old, new)
    return site


def nginx_conf(tmp: Path) -> str:
    """A minimal main nginx.conf around the site, everything under ``tmp``."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # Workers run as root here only because the test's files are in a
    # private temporary folder; in production nginx's own user reads them.
    return f"""
user root;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "nginx-error.log"} warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "nginx-access.log"};
{temp}
    include {tmp / "site.conf"};
}}
"""


@pytest.fixture
def stack(tmp_path, settings):
    nginx = require("nginx")
    require("openssl")
    processes = Processes(tmp_path)
    (tmp_path / "media").mkdir()
    settings.MEDIA_ROOT = tmp_path / "media"
    db = connection.settings_dict
    ports = {name: free_port() for name in ("app", "https", "http")}
    try:
        redis_url = start_redis(processes)
        env = {
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
            "GUNICORN_BIND": f"127.0.0.1:{ports['app']}",
            # Two sync workers: three slow clients would hold them all if
            # nginx let them through.
            "WEB_CONCURRENCY": "2",
            "PYTHONUNBUFFERED": "1",
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                f"/CN={HOST}",
                "-keyout",
                tmp_path / "key.pem",
                "-out",
                tmp_path / "cert.pem",
            ],
            check=True,
            capture_output=True,
        )
        gunicorn = processes.start(
            "gunicorn",
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(DEPLOY / "gunicorn.conf.py"),
                "careerhub.wsgi",
            ],
            cwd=ROOT,
            env=env,
        )
        processes.start(
            "worker",
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--interval",
                "0.2",
                "--worker-id",
                "smoke",
            ],
            cwd=ROOT,
            env=env,
        )
        (tmp_path / "site.conf").write_text(
            render_site(
                https_port=ports["https"],
                http_port=ports["http"],
                app_port=ports["app"],
                tmp=tmp_path,
            )
        )
        (tmp_path / "nginx.conf").write_text(nginx_conf(tmp_path))
        subprocess.run(
            [
                nginx,
                "-t",
                "-p",
                tmp_path,
                "-c",
                tmp_path / "nginx.conf",
                "-e",
                tmp_path / "nginx-error.log",
            ],
            check=True,
            capture_output=True,
        )
        nginx_process = processes.start(
            "nginx",
            [
                nginx,
                "-p",
                tmp_path,
                "-c",
                tmp_path / "nginx.conf",
                "-e",
                tmp_path / "nginx-error.log",
                "-g",
                "daemon off;",
            ],
        )
        wait_for_port(ports["app"], process=gunicorn, timeout=30)
        wait_for_port(ports["https"], process=nginx_process)
        yield Site(ports["https"], tmp_path)
    except BaseException:
        print(processes.logs())
        raise
    finally:
        processes.stop_all()


class Site:
    """HTTPS requests to nginx on loopback, for the host careerhub.example."""

    def __init__(self, port, tmp):
        self.port = port
        self.tmp = tmp
        self.tls = ssl.create_default_context(cafile=tmp / "cert.pem")
        self.tls.check_hostname = False

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, context=self.tls, timeout=20
        )
        try:
            conn.request(
                method, path, body=body, headers={"Host": HOST, **(headers or {})}
            )
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()

    def slow_client(self, stop: threading.Event) -> None:
        """A POST whose body arrives a byte now and then, as from a bad line."""
        raw = socket.create_connection(("127.0.0.1", self.port))
        with self.tls.wrap_socket(raw, server_hostname=HOST) as sock:
            sock.sendall(
                b"POST /newsletter/ HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"Content-Length: 100000\r\n\r\nemail="
            )
            while not stop.wait(0.2):
                sock.sendall(b"a")


def test_the_deployment_serves_pages_files_signups_and_the_admin(stack):
    article = ArticleFactory(title="Negotiating your first salary")
    name = Article._meta.get_field("cover_image").storage.save(
        "covers/salary.jpg",
        ContentFile(image_bytes(size=(1000, 500))),
    )
    article.cover_image.name = name
    article_save(article=article, cover_changed=True)

    # A page, over HTTPS as Django sees it (no redirect to https://).
    response, body = stack.request("GET", article.get_absolute_url())
    assert response.status == 200, body[:500]
    page = body.decode()
    assert "Negotiating your first salary" in page

    # The cover's renditions, served by nginx from MEDIA_ROOT.
    image_url = re.search(r'src="(/media/[^"]+\.jpg)"', page).group(1)
    response, body = stack.request("GET", image_url)
    assert response.status == 200
    assert response.getheader("Content-Type") == "image/jpeg"
    assert body[:3] == b"\xff\xd8\xff"
    assert "max-age=86400" in response.getheader("Cache-Control")

    # A hashed static file, linked from the page, cached for a year.
    css_url = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page).group(1)
    response, body = stack.request("GET", css_url)
    assert response.status == 200
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    manifest = json.loads((stack.tmp / "static" / "staticfiles.json").read_text())
    assert css_url.removeprefix("/static/") in manifest["paths"].values()
    assert (
        body == (stack.tmp / "static" / css_url.removeprefix("/static/")).read_bytes()
    )

    # The sign-up POST: the subscriber is stored and the worker mails them.
    consent = re.search(r'name="consent_version" value="([^"]+)"', page).group(1)
    response, body = stack.request(
        "POST",
        "/newsletter/",
        body=f"email=reader%40example.com&source=%2F&consent_version={consent}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 200, body[:500]
    assert Subscriber.objects.filter(email="reader@example.com").exists()
    deadline = time.monotonic() + 15
    while not DBTaskResult.objects.filter(status="SUCCESSFUL").exists():
        assert time.monotonic() < deadline, "the worker ran no task"
        time.sleep(0.2)

    # The admin's login page.
    response, body = stack.request("GET", "/admin/login/")
    assert response.status == 200
    assert b"CareerHub editors" in body


def test_nginx_limits_floods_of_sign_ups_and_logins_per_client(stack):
    def until_refused(method, path, body=None):
        """Requests at once until one is refused: how many passed, and it."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        for sent in range(20):
            response, answer = stack.request(method, path, body=body, headers=headers)
            if response.status == 429:
                return sent, answer
        return sent + 1, None

    # 10 a minute with a burst of 5: at least 6 pass at once, then nginx
    # refuses with its own page, before Django's own limits come into play
    # (a slow machine may earn one more request per 6 s meanwhile).
    for method, path, body in (
        ("POST", "/newsletter/", "email=flood%40example.com"),
        ("POST", "/admin/login/", "username=a&password=b"),
    ):
        passed, refusal = until_refused(method, path, body)
        assert 6 <= passed < 20, (path, passed)
        assert b"<center>nginx" in refusal
    # Searches: 60 a minute with a burst of 30, so a reader paging and
    # refining never meets it, and a robot gets at most one a second.
    searches = [stack.request("GET", f"/search/?q=flood+{n}")[0] for n in range(60)]
    statuses = [response.status for response in searches]
    assert 429 in statuses, statuses
    refused = statuses.index(429)
    assert refused >= 31 and set(statuses[:refused]) == {200}, statuses
    # Reading pages is not limited.
    assert {stack.request("GET", "/")[0].status for _ in range(10)} == {200}
    # A reader's count is a few short fields; a body over 1 KiB never
    # reaches a worker.
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    count = stack.request("POST", "/count/", body="page=home", headers=form)
    assert count[0].status == 204
    oversized = stack.request(
        "POST", "/count/", body="page=" + "x" * 2000, headers=form
    )
    assert oversized[0].status == 413
    assert b"<center>nginx" in oversized[1]


def test_slow_clients_do_not_hold_up_other_readers(stack):
    ArticleFactory(title="Writing a cover letter")
    stack.request("GET", "/")  # warm the workers
    stop = threading.Event()
    clients = [
        threading.Thread(target=stack.slow_client, args=(stop,)) for _ in range(3)
    ]
    try:
        for client in clients:
            client.start()
        time.sleep(1)  # all three are sending their bodies now
        started = time.monotonic()
        response, _ = stack.request("GET", "/")
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)
    assert response.status == 200
    assert elapsed < 1, f"a reader waited {elapsed:.2f} s behind slow clients"
