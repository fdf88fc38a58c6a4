"""The front caches CareerHub can purge, each told in its own way.

Chosen by ``FRONT_CACHE_URL`` (careerhub/settings/frontcache.py). Each backend
takes keys (``reader.front_keys``) and raises ``PurgeFailed`` with a message
safe to show and log: API tokens are sent in headers and never appear in it.
"""

import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator

from django.conf import settings

logger = logging.getLogger(__name__)


class PurgeFailed(Exception):
    """The front cache did not confirm the purge."""


def _chunks(keys: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(keys), size):
        yield keys[start : start + size]


def _send(url: str, *, method: str, headers: dict, body: bytes | None, timeout):
    """Send one request; the answer's status and body, or PurgeFailed."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        detail = error.read()[:300].decode(errors="replace")
        raise PurgeFailed(f"{method} {url}: HTTP {error.code} {detail}") from None
    except urllib.error.URLError as error:
        raise PurgeFailed(f"{method} {url}: {error.reason}") from None
    except OSError as error:
        raise PurgeFailed(f"{method} {url}: {error}") from None


class Varnish:
    """HTTP PURGE with an ``xkey-purge`` header, to every Varnish listed
    (deploy/varnish/careerhub.vcl accepts it from the app servers only)."""

    max_keys = 100  # keys a header carries

    def __init__(self, *, addresses, timeout, endpoint=None):
        self.addresses = addresses
        self.timeout = timeout

    def purge(self, keys: list[str]) -> None:
        failures = []
        for address in self.addresses:
            for chunk in _chunks(keys, self.max_keys):
                try:
                    _send(
                        f"http://{address}/",
                        method="PURGE",
                        headers={"xkey-purge": " ".join(chunk)},
                        body=None,
                        timeout=self.timeout,
                    )
                except PurgeFailed as error:
                    failures.append(str(error))
        if failures:  # the others were purged; a retry purges all again
            raise PurgeFailed("; ".join(failures))


class Cloudflare:
    """Purge by Cache-Tag through the API (``POST .../purge_cache``)."""

    max_keys = 30  # tags one call may name
    api = "https://api.cloudflare.com/client/v4"

    def __init__(self, *, target, token, timeout, endpoint=None):
        self.url = f"{endpoint or self.api}/zones/{target}/purge_cache"
        self.token = token
        self.timeout = timeout

    def purge(self, keys: list[str]) -> None:
        for chunk in _chunks(keys, self.max_keys):
            _, body = _send(
                self.url,
                method="POST",
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
                body=json.dumps({"tags": chunk}).encode(),
                timeout=self.timeout,
            )
            try:
                success = json.loads(body).get("success")
            except (ValueError, AttributeError):
                success = False
            if not success:
                raise PurgeFailed(f"POST {self.url}: {body[:300]!r}")


class Fastly:
    """Purge by Surrogate-Key through the API (``POST /service/<id>/purge``)."""

    max_keys = 256  # keys one call may name
    api = "https://api.fastly.com"

    def __init__(self, *, target, token, timeout, endpoint=None):
        self.url = f"{endpoint or self.api}/service/{target}/purge"
        self.token = token
        self.timeout = timeout

    def purge(self, keys: list[str]) -> None:
        for chunk in _chunks(keys, self.max_keys):
            _send(
                self.url,
                method="POST",
                headers={
                    "Fastly-Key": self.token,
                    "Surrogate-Key": " ".join(chunk),
                    "Accept": "application/json",
                },
                body=b"",
                timeout=self.timeout,
            )


class CloudFront:
    """An invalidation of the paths showing the keys (CloudFront has no tags:
    ``frontcache.paths`` maps keys to paths)."""

    max_paths = 1000  # paths one invalidation may name

    def __init__(self, *, target, timeout, endpoint=None):
        import boto3
        from botocore.config import Config

        self.distribution = target
        config = Config(
            connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1}
        )
        self.client = boto3.client("cloudfront", endpoint_url=endpoint, config=config)

    def purge(self, keys: list[str]) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        from .paths import paths_for

        for chunk in _chunks(paths_for(keys), self.max_paths):
            try:
                self.client.create_invalidation(
                    DistributionId=self.distribution,
                    InvalidationBatch={
                        "Paths": {"Quantity": len(chunk), "Items": chunk},
                        "CallerReference": uuid.uuid4().hex,
                    },
                )
            except (BotoCoreError, ClientError) as error:
                raise PurgeFailed(f"CloudFront invalidation: {error}") from None


BACKENDS = {
    "varnish": Varnish,
    "cloudflare": Cloudflare,
    "fastly": Fastly,
    "cloudfront": CloudFront,
}


def configured():
    """The front cache FRONT_CACHE_URL names, or None."""
    front = settings.FRONT_CACHE
    if not front:
        return None
    return BACKENDS[front["BACKEND"]](**front["OPTIONS"])
