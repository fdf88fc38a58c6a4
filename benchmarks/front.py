"""`make bench-front`: the front cache (Varnish) under readers and an editor.

On PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL; emptied first) with a
corpus of ARTICLES, two app servers (gunicorn, 2 sync workers each) behind
Varnish with the VCL of deploy/varnish/careerhub.vcl (its backend replaced by
a round-robin director over the two), Redis for the page cache and a task
worker running the purges (FRONT_CACHE_URL points at Varnish):

- readers load article, home, list and topic pages through Varnish (wrk with
  a Lua script choosing among every URL);
- an editor, in this process and through the services the admin calls,
  edits, unpublishes and publishes an article every few seconds; after each
  change the pages it affects are polled through Varnish: purge-to-fresh
  (from the commit to the fresh page) and stale pages served once the purges
  were confirmed (the worker recorded them successful);
- origin offload from varnishstat: 1 - backend fetches / client requests.

`compare()` is the other measurement (`make bench` calls it): a cached
article through Varnish against nginx serving the same bytes as a static
file, gzipped and plain.
"""

import argparse
import gzip
import os
import shutil
import sys
import tempfile
import urllib.request
from pathlib import Path

from benchmarks import front_stack
from benchmarks.front_stack import (
    Processes,
    front_env,
    group_cpu_seconds,
    load_average,
    varnish_counters,
    wrk,
)
from benchmarks.site import STATE, free_port, log, production_env

GZIP = "Accept-Encoding: gzip"


def fetch(url: str, *, gzipped: bool) -> tuple[int, bytes, dict]:
    """Status, body as sent (not decompressed) and headers of a GET."""
    headers = {"Accept-Encoding": "gzip"} if gzipped else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def text(body: bytes, headers: dict) -> bytes:
    if headers.get("Content-Encoding") == "gzip":
        return gzip.decompress(body)
    return body


# -- `make bench`: Varnish against nginx serving the same bytes -------------------


def _static_copy(url: str, root: Path) -> str:
    """The page as Varnish serves it, gzipped and plain, as nginx's files
    (page.html and the page.html.gz gzip_static sends); checks both are hits."""
    for gzipped, name in ((True, "page.html.gz"), (False, "page.html")):
        fetch(url, gzipped=gzipped)  # stored
        status, body, headers = fetch(url, gzipped=gzipped)
        if status != 200 or headers.get("X-Cache") != "HIT":
            raise SystemExit(f"{url} was not a hit in Varnish: {status} {headers}")
        if gzipped != (headers.get("Content-Encoding") == "gzip"):
            raise SystemExit(f"{url}: Content-Encoding {headers} for gzip={gzipped}")
        (root / name).write_bytes(body)
    return "/page.html"


def _start(processes: Processes, tmp: Path, env: dict, path: str) -> dict:
    """gunicorn, Varnish in front with the page stored, nginx serving its
    bytes: the two URLs and the processes to time."""
    ports = {name: free_port() for name in ("app", "varnish", "nginx")}
    app_env = front_env(env, varnish_port=ports["varnish"], cache_url="locmem://")
    processes.gunicorn("gunicorn", app_env, ports["app"], workers=2)
    varnish = processes.varnish(tmp, port=ports["varnish"], app_ports=[ports["app"]])
    root = tmp / "static-root"
    root.mkdir()
    static = _static_copy(f"http://127.0.0.1:{ports['varnish']}{path}", root)
    nginx = processes.nginx(tmp, port=ports["nginx"], root=root)
    for gzipped, name in ((True, "page.html.gz"), (False, "page.html")):
        url = f"http://127.0.0.1:{ports['nginx']}{static}"
        if fetch(url, gzipped=gzipped)[1] != (root / name).read_bytes():
            raise SystemExit(f"nginx did not serve {name} as it is.")
    return {
        "varnish": (f"http://127.0.0.1:{ports['varnish']}{path}", varnish.pid),
        "nginx": (f"http://127.0.0.1:{ports['nginx']}{static}", nginx.pid),
    }


def compare(
    env: dict, path: str, *, seconds: int, connections: int, rounds: int = 3
) -> dict:
    """Requests/s of a cached page through Varnish and of nginx serving its
    bytes as a static file, gzipped and plain (the best of ``rounds`` runs
    each, alternated, so a burst of other work on the machine hits both),
    and each server's CPU time per request (all its processes'), which
    other work on the machine disturbs less."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-front-"))
    tmp.chmod(0o755)  # nginx's workers read the static file as their own user
    processes = Processes(tmp)
    try:
        servers = _start(processes, tmp, env, path)
        before = varnish_counters(tmp)["backend_req"]
        results = {}
        for encoding, headers in (("gzip", [GZIP]), ("plain", [])):
            runs = {server: [] for server in servers}
            for _ in range(rounds):
                for server, (url, group) in servers.items():
                    cpu = group_cpu_seconds(group)
                    load = wrk(
                        url, seconds=seconds, connections=connections, headers=headers
                    )
                    cpu = group_cpu_seconds(group) - cpu
                    runs[server].append((load["rps"], cpu * 1e6 / load["requests"]))
            results[encoding] = {
                server: {
                    "rps": max(r for r, _ in got),
                    "cpu_us": min(c for _, c in got),
                }
                for server, got in runs.items()
            }
        fetched = varnish_counters(tmp)["backend_req"] - before
        if fetched:
            raise SystemExit(f"Varnish fetched {fetched} times under load: not hits.")
        return results
    finally:
        processes.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def compare_rows(results: dict) -> str:
    lines = [
        "| encoding | Varnish req/s | nginx static req/s | ratio "
        "| Varnish CPU µs/req | nginx CPU µs/req | ratio (nginx / Varnish) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for encoding, numbers in results.items():
        varnish, nginx = numbers["varnish"], numbers["nginx"]
        lines.append(
            f"| {encoding} | {varnish['rps']:.0f} | {nginx['rps']:.0f} "
            f"| {varnish['rps'] / nginx['rps']:.2f} | {varnish['cpu_us']:.0f} "
            f"| {nginx['cpu_us']:.0f} | {nginx['cpu_us'] / varnish['cpu_us']:.2f} |"
        )
    return "\n".join(lines)


def bench_compare(env: dict, path: str, *, seconds: int, connections: int) -> None:
    """`make bench`'s last table: Varnish against nginx static, or skipped."""
    why = front_stack.missing("nginx")
    if why:
        log(f"\nVarnish against nginx static: skipped: {why}")
        return
    log(f"\nVarnish against nginx static ({path}, load average {load_average()})")
    results = compare(env, path, seconds=seconds, connections=connections)
    log(compare_rows(results))


# -- `make bench-front` ------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--articles", type=int, default=1_000)
    parser.add_argument("--every", type=float, default=3.0, help="seconds a change")
    parser.add_argument("--connections", type=int, default=32, help="readers (wrk)")
    parser.add_argument("--poll", type=float, default=0.03, help="seconds a poll")
    parser.add_argument("--worker-interval", type=float, default=0.2)
    parser.add_argument("--json", help="also write the summary to this file")
    parser.add_argument(
        "--compare", action="store_true", help="Varnish against nginx static only"
    )
    return parser.parse_args(argv)


def database_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("PostgreSQL is needed: BENCH_DATABASE_URL=postgres://...")
    return url


def prepare(count: int) -> list[int]:
    """Migrate, empty and fill the database; no task left queued."""
    import django

    django.setup()
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from benchmarks import corpus
    from frontcache.models import FailedPurge

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    log(f"Building {count:,} articles")
    corpus.wipe()
    ids = corpus.build(count, out=log)
    log("  ranking related articles")
    corpus.rank_related(ids)
    DBTaskResult.objects.all().delete()
    FailedPurge.objects.all().delete()
    return ids


def main(argv=None) -> None:
    args = parse_args(argv)
    # Redis: the editor's changes reach both app servers' page caches.
    why = front_stack.missing(*(["nginx"] if args.compare else ["redis-server"]))
    if why:
        raise SystemExit(f"skipped: {why}")
    STATE.mkdir(exist_ok=True)
    env = production_env(free_port(), database_url(), "locmem://")
    os.environ.update(env)
    sys.stdout.reconfigure(line_buffering=True)
    if args.compare:
        ids = prepare(args.articles)
        from articles.models import Article

        path = Article.objects.get(pk=ids[len(ids) // 2]).get_absolute_url()
        bench_compare(env, path, seconds=5, connections=8)
        return
    from benchmarks import front_editor

    summary = front_editor.run(args, env, prepare)
    log(summary["line"])


if __name__ == "__main__":
    main()
