"""What nginx answers itself carries the security headers the app sends:
static and media files, its redirect and its own 400, 413 and 429 pages.
Real nginx with deploy/nginx/careerhub.conf (rewritten for loopback as in
test_smoke.py), in front of a stand-in app server that answers as Django does.
"""

import http.client
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings

from tests.deploy.test_smoke import HOST, Site, nginx_conf, render_site
from tests.services import Processes, free_port, require, wait_for_port

STRICT_CSP = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
APP_CSP = "default-src 'self'; img-src 'self' data:"


def app_permissions_policy() -> str:
    """The header httpguard.middleware.PermissionsPolicyMiddleware sends."""
    return ", ".join(
        f"{feature}=({' '.join(allow)})"
        for feature, allow in settings.PERMISSIONS_POLICY.items()
    )


class AppServer(BaseHTTPRequestHandler):
    """Answers as Django does: a page with its own CSP and Permissions-Policy."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"<!doctype html><title>page</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Security-Policy", APP_CSP)
        self.send_header("Permissions-Policy", app_permissions_policy())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    nginx = require("nginx")
    require("openssl")
    tmp = tmp_path_factory.mktemp("nginx")
    for folder, name, content in [
        ("static/css", "site.css", b"body { color: #222 }"),
        ("static/css", "site.0123456789ab.css", b"body { color: #222 }"),
        ("media/covers", "desk.jpg", b"\xff\xd8\xff\xe0 not really a picture"),
    ]:
        (tmp / folder).mkdir(parents=True, exist_ok=True)
        (tmp / folder / name).write_bytes(content)
    app = ThreadingHTTPServer(("127.0.0.1", 0), AppServer)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    ports = {"https": free_port(), "http": free_port()}
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={HOST}", "-keyout", tmp / "key.pem", "-out"]
        + [tmp / "cert.pem"],
        check=True,
        capture_output=True,
    )
    (tmp / "site.conf").write_text(
        render_site(
            https_port=ports["https"],
            http_port=ports["http"],
            app_port=app.server_address[1],
            tmp=tmp,
        )
    )
    (tmp / "nginx.conf").write_text(nginx_conf(tmp))
    processes = Processes(tmp)
    args = [nginx, "-p", tmp, "-c", tmp / "nginx.conf", "-e", tmp / "nginx-error.log"]
    try:
        subprocess.run([*args, "-t"], check=True, capture_output=True)
        process = processes.start("nginx", [*args, "-g", "daemon off;"])
        wait_for_port(ports["https"], process=process)
        yield Site(ports["https"], tmp), ports
    finally:
        processes.stop_all()
        app.shutdown()
        app.server_close()


def security_headers(response) -> dict:
    return {
        name: [value for key, value in response.getheaders() if key.lower() == name]
        for name in ("content-security-policy", "permissions-policy")
    }


def assert_nginx_headers(response):
    assert security_headers(response) == {
        "content-security-policy": [STRICT_CSP],
        "permissions-policy": [app_permissions_policy()],
    }


@pytest.mark.parametrize(
    "path", ["/static/css/site.css", "/static/css/site.0123456789ab.css"]
)
def test_static_files_carry_the_headers(site, path):
    response, body = site[0].request("GET", path)
    assert response.status == 200
    assert body == b"body { color: #222 }"
    assert_nginx_headers(response)
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_media_files_carry_the_headers(site):
    response, _ = site[0].request("GET", "/media/covers/desk.jpg")
    assert response.status == 200
    assert_nginx_headers(response)


def test_a_missing_static_file_answers_nginxs_404_with_the_headers(site):
    response, _ = site[0].request("GET", "/static/css/missing.css")
    assert response.status == 404
    assert_nginx_headers(response)


def test_pages_keep_the_apps_own_headers_once(site):
    response, _ = site[0].request("GET", "/articles/")
    assert response.status == 200
    assert security_headers(response) == {
        "content-security-policy": [APP_CSP],
        "permissions-policy": [app_permissions_policy()],
    }


def test_nginxs_own_400_carries_the_headers(site):
    stack, _ = site
    raw = socket.create_connection(("127.0.0.1", stack.port))
    with stack.tls.wrap_socket(raw, server_hostname=HOST) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\n\r\n")  # HTTP/1.1 without a Host
        sock.settimeout(10)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert head.startswith("http/1.1 400")
    assert f"content-security-policy: {STRICT_CSP}".lower() in head
    assert f"permissions-policy: {app_permissions_policy()}" in head


def test_nginxs_own_413_carries_the_headers(site):
    response, _ = site[0].request(
        "POST", "/admin/articles/article/add/", body=b"x" * (12 * 1024 * 1024)
    )
    assert response.status == 413
    assert_nginx_headers(response)


def test_nginxs_own_429_carries_the_headers(site):
    statuses = []
    for _ in range(12):  # 10 a minute with a burst of 5: the rest are refused
        response, _ = site[0].request("GET", "/admin/login/")
        statuses.append(response.status)
        if response.status == 429:
            break
    assert statuses[-1] == 429
    assert_nginx_headers(response)


def test_the_https_redirect_carries_the_headers(site):
    _, ports = site
    conn = http.client.HTTPConnection("127.0.0.1", ports["http"], timeout=10)
    try:
        conn.request("GET", "/articles/", headers={"Host": HOST})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status == 301
    assert_nginx_headers(response)
