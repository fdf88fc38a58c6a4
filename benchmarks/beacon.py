"""`make bench-beacon`: what counting readers costs (issue 23, item 2).

1. Builds a small corpus (ARTICLES, 200 by default) in the bench database:
   BENCH_DATABASE_URL, or a SQLite file .bench/beacon.sqlite3 (emptied first).
2. Starts gunicorn (2 sync workers, production settings, the hooks of
   deploy/gunicorn.conf.py) with a redis-server of its own for the cache
   (the rate limits), and measures with wrk:
   - the cached article page's CPU per request with counting off
     (AUDIENCE_COUNTING=False) and on, alternately, ROUNDS times each;
   - beacons: wrk POSTs them (beacon.lua: a rotating live article id, a
     reader's user agent, a client address from X-Real-IP spread over many
     readers), as fast as the server takes them: counted views/s and the
     workers' CPU per beacon;
   - a flood: one client's forged beacons for a few seconds, and how many
     were counted.
3. After each server stops (its workers write their last batch on exit), the
   views counted are read from the database and the database writes from the
   workers' log (one line per batch written).
Ends with a one-line summary: counted views/s, CPU per beacon, statements
per 1,000 views, the page's CPU with counting on against off.
"""

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

from benchmarks.site import (
    ROOT,
    STATE,
    free_port,
    load,
    log,
    machine,
    production_env,
    start_redis,
    wait_for,
    worker_cpu_seconds,
)

LUA = Path(__file__).with_name("beacon.lua")
WRITE_LINE = re.compile(r"Wrote (\d+) view\(s\) \((\d+) dropped\) in (\d+) statement")
READER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def prepare(count: int) -> tuple[list[int], str]:
    """The corpus, and the cached page's path; audience tables emptied."""
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Article
    from audience.models import ArticleDay, DaySalt, SiteDay, VisitorMark
    from audience.retention import DAILY_FIGURES
    from benchmarks import corpus

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    for model in (*DAILY_FIGURES, VisitorMark, DaySalt):
        model.objects.all().delete()
    ids = list(Article.objects.live().order_by("pk").values_list("pk", flat=True))
    if len(ids) != count:
        log(f"Building {count:,} articles")
        corpus.wipe()
        ids = corpus.build(count, out=log)
    assert not ArticleDay.objects.exists() and not SiteDay.objects.exists()
    return ids, Article.objects.get(pk=ids[len(ids) // 2]).get_absolute_url()


def counted_so_far() -> tuple[int, int]:
    """(views, visitors) in the database, all days."""
    from django.db import connections
    from django.db.models import Sum

    from audience.models import SiteDay

    connections.close_all()  # a fresh read of what the workers wrote
    totals = SiteDay.objects.aggregate(views=Sum("views"), visitors=Sum("visitors"))
    return totals["views"] or 0, totals["visitors"] or 0


class Server:
    """gunicorn with the deployed config; its log is parsed for batches."""

    def __init__(self, env: dict, port: int, workers: int, counting: bool, name=""):
        label = name or ("on" if counting else "off")
        self.log_path = STATE / f"beacon-gunicorn-{label}.log"
        self.env = {
            **env,
            "AUDIENCE_COUNTING": str(counting),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_ACCESS_LOG": "",  # as site.py: no access log
            "GUNICORN_MAX_REQUESTS": "0",
        }
        self.port = port

    def __enter__(self):
        from django.core.cache import caches

        for cache in caches.all():  # no page stored by the other setting
            cache.clear()
        self.logfile = open(self.log_path, "w")  # noqa: SIM115 (closed below)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
            + ["careerhub.wsgi"],
            cwd=ROOT,
            env=self.env,
            stdout=self.logfile,
            stderr=self.logfile,
        )
        wait_for(self.port)
        self._warm()
        return self

    def _warm(self, timeout: float = 60) -> None:
        """Until the workers answer (they boot slowly on a loaded machine)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                for _ in range(4):
                    urlopen(f"http://127.0.0.1:{self.port}/robots.txt").read()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def __exit__(self, *exc):
        self.process.terminate()  # graceful: workers write their last batch
        self.process.wait(timeout=60)
        self.logfile.close()

    def batches(self) -> tuple[int, int, int]:
        """(batches written, views in them, statements), from the log."""
        found = WRITE_LINE.findall(self.log_path.read_text())
        return (
            len(found),
            sum(int(views) for views, _, _ in found),
            sum(int(statements) for _, _, statements in found),
        )


def wrk_beacons(master: int, url: str, seconds: int, connections: int, env) -> dict:
    before = worker_cpu_seconds(master)
    began = time.monotonic()
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(LUA), url],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    elapsed = time.monotonic() - began
    cpu = worker_cpu_seconds(master) - before
    if "Non-2xx" in result:
        raise SystemExit(f"The beacon answered errors under load:\n{result}")
    requests = int(re.search(r"(\d+) requests in", result).group(1))
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
        "seconds": elapsed,
        "cpu_ms": cpu * 1000 / max(requests, 1),
    }


def page_cpu(env, port, workers, path, rounds, seconds) -> dict:
    """The cached page's CPU per request, counting off and on, alternately."""
    numbers = {False: [], True: []}
    for done in range(rounds * 2):
        counting = bool(done % 2)
        with Server(env, port, workers, counting) as server:
            url = f"http://127.0.0.1:{port}{path}"
            page = urlopen(url).read().decode()
            assert ('data-url="/count/"' in page) == counting, "script follows switch"
            result = load(server.process.pid, url, seconds, 8)
        numbers[counting].append(result["cpu_ms"])
        log(
            f"  page, counting {'on ' if counting else 'off'} (round "
            f"{done // 2 + 1}/{rounds}): {result['rps']:.0f} req/s, "
            f"{result['cpu_ms']:.3f} ms CPU/request"
        )
    return {key: statistics.median(values) for key, values in numbers.items()}


def beacons(env, port, workers, ids, seconds, connections) -> dict:
    """Counted views/s under wrk, and a one-client flood."""
    views_before, _ = counted_so_far()
    wrk_env = {
        **os.environ,
        "BEACON_IDS": ",".join(map(str, ids)),
        "BEACON_UA": READER_UA,
    }
    with Server(env, port, workers, counting=True, name="beacons") as server:
        url = f"http://127.0.0.1:{port}/count/"
        run = wrk_beacons(server.process.pid, url, seconds, connections, wrk_env)
        log(
            f"  beacons: {run['requests']:,} in {run['seconds']:.1f} s "
            f"({run['rps']:.0f}/s), {run['cpu_ms']:.3f} ms CPU each"
        )
    run["batches"], run["logged_views"], run["statements"] = server.batches()
    views, visitors = counted_so_far()
    run["counted"], run["visitors"] = views - views_before, visitors
    flood_env = {**wrk_env, "BEACON_ONE_CLIENT": "1"}
    with Server(env, port, workers, counting=True, name="flood") as server:
        flood = wrk_beacons(server.process.pid, url, 5, 4, flood_env)
    run["flood_sent"] = flood["requests"]
    run["flood_counted"] = counted_so_far()[0] - views
    return run


def report(args, page: dict, run: dict, began: float) -> str:
    counted_rate = run["counted"] / run["seconds"]
    more = (page[True] / page[False] - 1) * 100
    lines = [
        f"\n## Beacon, gunicorn {args.workers} sync workers, {args.articles:,} "
        f"articles, wrk -c{args.connections} -d{args.seconds}s",
        f"Machine: {machine()} (shared: other processes load it)\n",
        "| measure | value |",
        "|---|---:|",
        f"| beacons answered | {run['requests']:,} ({run['rps']:.0f}/s) |",
        f"| views counted | {run['counted']:,} ({counted_rate:.0f}/s) |",
        f"| visitors counted (distinct client + UA) | {run['visitors']:,} |",
        f"| workers' CPU per beacon | {run['cpu_ms']:.3f} ms |",
        f"| batches written (transactions) | {run['batches']:,} |",
        f"| SQL statements written | {run['statements']:,} "
        f"({run['statements'] * 1000 / max(run['counted'], 1):.1f} per 1,000 views) |",
        f"| one client's flood: sent, counted | {run['flood_sent']:,}, "
        f"{run['flood_counted']:,} |",
        f"| cached page CPU/request, counting off | {page[False]:.3f} ms |",
        f"| cached page CPU/request, counting on | {page[True]:.3f} ms "
        f"({more:+.1f}%) |",
    ]
    lines.append(
        f"\nBeacon bench done in {time.monotonic() - began:.0f} s: "
        f"{counted_rate:.0f} counted views/s, {run['cpu_ms']:.2f} ms CPU per "
        f"beacon, {run['statements']:,} statements for {run['counted']:,} views, "
        f"flood {run['flood_counted']}/{run['flood_sent']} counted, cached page "
        f"CPU {more:+.1f}% with counting on."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10, help="of beacons")
    parser.add_argument("--page-seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2, help="page, off and on")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    STATE.mkdir(exist_ok=True)
    began = time.monotonic()
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{STATE / 'beacon.sqlite3'}"
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    redis, cache_url = start_redis()
    try:
        port = free_port()
        env = production_env(port, database_url, cache_url)
        env.update(PAGE_CACHE_SECONDS="600", CLIENT_IP_HEADER="HTTP_X_REAL_IP")
        env["DJANGO_SETTINGS_MODULE"] = "benchmarks.beacon_settings"
        os.environ.update(env)
        ids, path = prepare(args.articles)
        log(f"Step 1/2: the cached page {path}, {args.rounds} rounds off and on")
        page = page_cpu(env, port, args.workers, path, args.rounds, args.page_seconds)
        log(f"Step 2/2: beacons for {args.seconds} s, then a 5 s flood")
        run = beacons(env, port, args.workers, ids, args.seconds, args.connections)
    finally:
        if redis:
            redis.terminate()
            redis.wait(timeout=10)
    log(report(args, page, run, began))


if __name__ == "__main__":
    main()
