"""The shared HTTP cache in front (Varnish or a CDN): what it may keep and how
it is told to drop pages (see frontcache/ and README.md, "A front cache").

FRONT_CACHE_URL examples (off when empty):
  varnish://127.0.0.1:6081                   HTTP PURGE with an xkey-purge header;
  varnish://10.0.0.5:6081,10.0.0.6:6081      to each Varnish listed
  cloudflare://ZONE_ID?token=API_TOKEN       purge by Cache-Tag
  fastly://SERVICE_ID?token=API_TOKEN        purge by Surrogate-Key
  cloudfront://DISTRIBUTION_ID               invalidations of paths (the usual
                                             AWS credentials, boto3)
  ...?endpoint=http://127.0.0.1:9000          another API address (tests, proxies)
  ...?timeout=5                              seconds to wait for each answer
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from careerhub.settings.env import env_int

FRONT_CACHE_URL = os.environ.get("FRONT_CACHE_URL", "")

# Which response header each front cache reads its keys from, and how the
# keys are joined in it.
KEY_HEADERS = {
    "varnish": ("xkey", " "),
    "fastly": ("Surrogate-Key", " "),
    "cloudflare": ("Cache-Tag", ","),
    "cloudfront": (None, None),  # no tags: keys are mapped to paths
}


def front_cache_from_url(url: str) -> dict | None:
    """The front cache's backend and options, or None if there is none."""
    if not url:
        return None
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    scheme = parts.scheme
    if scheme not in KEY_HEADERS:
        raise ImproperlyConfigured(
            f"FRONT_CACHE_URL scheme {scheme!r} is not supported "
            f"(use one of {', '.join(sorted(KEY_HEADERS))})."
        )
    options = {"timeout": float(query.get("timeout", 5))}
    if "endpoint" in query:
        options["endpoint"] = query["endpoint"].rstrip("/")
    if scheme == "varnish":
        addresses = [a.strip() for a in parts.netloc.split(",") if a.strip()]
        if not addresses:
            raise ImproperlyConfigured("FRONT_CACHE_URL varnish:// needs host:port.")
        options["addresses"] = addresses
    else:
        target = unquote(parts.netloc)
        if not target:
            raise ImproperlyConfigured(
                f"FRONT_CACHE_URL {scheme}:// needs the zone, service or "
                "distribution id after //."
            )
        options["target"] = target
        if scheme in {"cloudflare", "fastly"}:
            if not query.get("token"):
                raise ImproperlyConfigured(
                    f"FRONT_CACHE_URL {scheme}:// needs ?token=API_TOKEN."
                )
            options["token"] = query["token"]
    header, separator = KEY_HEADERS[scheme]
    return {
        "BACKEND": scheme,
        "KEY_HEADER": header,
        "KEY_SEPARATOR": separator,
        "OPTIONS": options,
    }


FRONT_CACHE = front_cache_from_url(FRONT_CACHE_URL)

# How long the front cache may keep a public page without asking (s-maxage).
# Browsers always revalidate; with a front cache that is purged on every
# change the default is long, without one it is 0 (no s-maxage sent).
SHARED_CACHE_SECONDS = env_int("SHARED_CACHE_SECONDS", 86400 if FRONT_CACHE else 0)
# Past s-maxage, the front cache may still answer with its copy while it
# fetches a new one (stale-while-revalidate), and while the application is
# down or failing (stale-if-error), for these many seconds.
SHARED_CACHE_STALE_WHILE_REVALIDATE = env_int("SHARED_CACHE_STALE_WHILE_REVALIDATE", 60)
SHARED_CACHE_STALE_IF_ERROR = env_int("SHARED_CACHE_STALE_IF_ERROR", 86400)
# Keys one page may carry; a page showing more (a list) carries its list's key.
FRONT_CACHE_MAX_KEYS = 32
# Every purge is sent again this many seconds later: a page rendered from the
# old content while the first went out reaches the front cache after it.
FRONT_CACHE_REPURGE_SECONDS = 2
# A failing purge is retried like every task (TASKS_MAX_ATTEMPTS runs, backoff
# from TASKS_RETRY_DELAY) and listed under Front cache > Failed purges.
