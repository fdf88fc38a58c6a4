from urllib.parse import urlencode

import pytest
from django.core.cache import cache

from audience import flush, visitors

# A reader's browser, as Chromium on a desktop sends it.
BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
READER_ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def empty_buffer():
    """Each test starts with nothing held, no salt remembered and no rate
    counted (the process's buffer and the locmem cache outlive a test)."""
    flush.buffer.take()
    visitors._salts.clear()
    cache.clear()
    yield
    flush.buffer.take()
    visitors._salts.clear()


@pytest.fixture
def send(client):
    """``send(article=7)``: a beacon as static/js/count.js posts it (the
    page kind is "article" when an article is given, else "other")."""

    def post(*, ua=BROWSER, address=READER_ADDRESS, headers=None, **fields):
        fields.setdefault("page", "article" if "article" in fields else "other")
        return client.generic(
            "POST",
            "/count/",
            urlencode(fields),
            content_type="application/x-www-form-urlencoded;charset=UTF-8",
            headers={"User-Agent": ua, **(headers or {})},
            REMOTE_ADDR=address,
        )

    return post
