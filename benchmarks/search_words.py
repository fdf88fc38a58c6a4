"""The search page's cost per query, on a corpus `benchmarks.site` built.

    BENCH_DATABASE_URL=postgres://... python -m benchmarks.search_words \\
        ombudsman mediator career "career ombudsman"

For each query (by default the rare word, one in 6%, the common word, and
the common with the rare): the median SQL time of 20 requests after 2 (in
process, the page cache off), and on PostgreSQL the median time the database
itself reports (EXPLAIN ANALYZE, planning and execution, of every query of 10
requests), which other load on the machine disturbs less. The corpus is
read, never changed: build it first with `python -m benchmarks.site
--articles N --profile-only`.
"""

import argparse
import os
import re
import statistics
import time
from urllib.parse import urlencode

from benchmarks.site import (
    COMMON_WORD,
    MIDDLING_WORD,
    SAMPLES,
    SEARCH_WORD,
    STATE,
    SqlTimer,
    explain_analyze,
    log,
    production_env,
)

EXPLAINED = 10


def database_ms(client, connection, url: str) -> float:
    """Planning and execution time of every query of one request."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    total = 0.0
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            plan = explain_analyze(cursor, query["sql"])
        times = re.findall(r"(?:Planning|Execution) Time: ([\d.]+)", plan)
        total += sum(float(ms) for ms in times)
    return total


def measure(query: str) -> dict:
    from django.db import connection
    from django.test import Client

    client = Client(SERVER_NAME="127.0.0.1")
    url = f"/search/?{urlencode({'q': query})}"
    sql_ms = []
    for _ in range(SAMPLES + 2):
        timer = SqlTimer()
        with connection.execute_wrapper(timer):
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        sql_ms.append(timer.seconds * 1000)
    numbers = {"sql_ms": statistics.median(sql_ms[2:]), "queries": len(timer.queries)}
    if connection.vendor == "postgresql":
        numbers["db_ms"] = statistics.median(
            database_ms(client, connection, url) for _ in range(EXPLAINED)
        )
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("queries", nargs="*")
    queries = parser.parse_args().queries or [
        SEARCH_WORD,
        MIDDLING_WORD,
        COMMON_WORD,
        f"{COMMON_WORD} {SEARCH_WORD}",
    ]
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{STATE / 'bench.sqlite3'}"
    )
    os.environ.update(
        {**production_env(0, database_url, "locmem://"), "PAGE_CACHE_SECONDS": "0"}
    )
    import django

    django.setup()
    from articles.models import Article

    articles = Article.objects.live().count()
    began = time.monotonic()
    for done, query in enumerate(queries, start=1):
        numbers = measure(query)
        left = (time.monotonic() - began) / done * (len(queries) - done)
        db = (
            f", {numbers['db_ms']:.1f} ms in the database" if "db_ms" in numbers else ""
        )
        log(
            f"  {done}/{len(queries)} {query!r}: {numbers['sql_ms']:.1f} ms SQL{db}, "
            f"{numbers['queries']} queries (about {left:.0f} s left)"
        )
    log(
        f"Searched {len(queries)} queries at {articles:,} live articles "
        f"in {time.monotonic() - began:.0f} s."
    )


if __name__ == "__main__":
    main()
