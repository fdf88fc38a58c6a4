import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from careerhub.settings.frontcache import front_cache_from_url


class Recorder(BaseHTTPRequestHandler):
    """A front cache or its API: records each call, answers ``status``."""

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.calls.append(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
            }
        )
        status = self.server.status
        answer = json.dumps({"success": status == 200}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    do_PURGE = do_POST = do_GET = handle_any

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_front():
    """A local HTTP server that records the calls made to it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.calls = []
    server.status = 200
    server.address = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def varnish_front(settings, fake_front):
    """FRONT_CACHE_URL=varnish://... pointing at the recorder."""
    settings.FRONT_CACHE = front_cache_from_url(f"varnish://{fake_front.address}")
    settings.SHARED_CACHE_SECONDS = 86400
    return fake_front


def purged_keys(server) -> list[set]:
    """The keys of each purge the recorder received, one set per call."""
    return [set(call["headers"]["xkey-purge"].split()) for call in server.calls]
