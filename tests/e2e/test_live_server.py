"""The live server the browser tests run against serves pages loaded together.

A browser loads several pages at once (an article and the desk's preview frame,
a page and its count beacon), and the live server's threads share the test's
in-memory SQLite connection. Without OneRequestAtATime (conftest.py) some of
these requests got 500s and 404s, and a browser test failed now and then.
"""

import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.factories import ArticleFactory


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_pages_requested_together_are_all_served(django_db_setup, live_server):
    # django_db_setup first: the live server shares the test database it sees.
    articles = ArticleFactory.create_batch(6)
    paths = [article.get_absolute_url() for article in articles] + ["/", "/articles/"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = Counter(
            pool.map(status_of, [live_server.url + p for p in paths] * 40)
        )

    assert statuses == {200: 320}
