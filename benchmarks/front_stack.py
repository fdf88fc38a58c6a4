"""The processes the front-cache benchmarks start: Varnish (the VCL in
deploy/, its backend rewritten), nginx serving static files, gunicorn app
servers and a task worker, each in a session of its own and always stopped;
and the readers: wrk over many URLs, and plain GETs through Varnish.
"""

import gzip
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.site import ROOT, _ms, log, wait_for

VCL = ROOT / "deploy" / "varnish" / "careerhub.vcl"
XKEY = Path("/usr/lib/x86_64-linux-gnu/varnish/vmods/libvmod_xkey.so")
_BACKEND = re.compile(r"^backend app \{\n.*?^\}\n", re.DOTALL | re.MULTILINE)


def missing(*programs: str) -> str | None:
    """Why a front-cache benchmark needing ``programs`` besides Varnish and
    wrk cannot run here, or None."""
    for program in ("varnishd", "varnishstat", "wrk", *programs):
        if not which(program):
            return f"{program} not installed"
    if not XKEY.exists():
        return "varnish-modules not installed (xkey)"
    return None


def which(program: str) -> str | None:
    return shutil.which(program) or shutil.which(program, path="/usr/sbin:/sbin")


def render_vcl(app_ports: list[int]) -> str:
    """deploy/varnish/careerhub.vcl with its one backend replaced by one per
    app server, behind a round-robin director (the rest stays as written)."""
    vcl = VCL.read_text()
    found = _BACKEND.search(vcl)
    if found is None or '.port = "8000";' not in found.group(0):
        raise SystemExit(f"{VCL}: no `backend app {{ ... }}` on port 8000 found.")
    block = found.group(0)
    backends = "".join(
        block.replace("backend app {", f"backend app{n} {{").replace(
            '.port = "8000";', f'.port = "{port}";'
        )
        for n, port in enumerate(app_ports)
    )
    added = "".join(f"    apps.add_backend(app{n});\n" for n in range(len(app_ports)))
    director = (
        "import directors;\n\nsub vcl_init {\n"
        f"    new apps = directors.round_robin();\n{added}}}\n\n"
        # Runs before the VCL's own vcl_recv (subroutines are concatenated).
        "sub vcl_recv {\n    set req.backend_hint = apps.backend();\n}\n"
    )
    return vcl.replace(block, backends + director)


def front_env(env: dict, *, varnish_port: int, cache_url: str) -> dict:
    """The app servers' environment: ``env`` with the front cache on."""
    return {
        **env,
        # Varnish's health probe asks for careerhub.example.
        "ALLOWED_HOSTS": "127.0.0.1,careerhub.example",
        "CACHE_URL": cache_url,
        "PAGE_CACHE_SECONDS": "600",
        "FRONT_CACHE_URL": f"varnish://127.0.0.1:{varnish_port}",
        "WEB_CONCURRENCY": "2",
        # Every fetch comes from Varnish here (in production it passes on
        # the reader's X-Real-IP): no per-client cap on pages stored.
        "PAGE_CACHE_CLIENT_PAGES_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
    }


def nginx_static_conf(tmp: Path, *, port: int, root: Path) -> str:
    """nginx serving ``root`` as the deploy's static location does
    (gzip_static: the .gz beside a file goes to clients that accept gzip),
    tuned as far as fairness allows: no access log, no cap on requests per
    connection (Varnish has none)."""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""
worker_processes auto;
pid {tmp / "nginx.pid"};
error_log {tmp / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
{temp}
    server {{
        listen 127.0.0.1:{port};
        root {root};
        gzip_static on;
    }}
}}
"""


class Processes:
    """Started processes, logged to files in ``logs``; ``stop`` ends each
    one's process group (gunicorn's and nginx's workers, varnishd's child)."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, args: list, **kwargs) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "ab") as out:
            process = subprocess.Popen(
                [str(arg) for arg in args],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **kwargs,
            )
        self.started.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(self.started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def gunicorn(self, name: str, env: dict, port: int, workers: int):
        process = self.start(
            name,
            [sys.executable, "-m", "gunicorn", "careerhub.wsgi"]
            + ["-c", ROOT / "deploy" / "gunicorn.conf.py"]
            + ["--workers", workers, "--bind", f"127.0.0.1:{port}"]
            + ["--access-logfile", "/dev/null"],
            cwd=ROOT,
            env=env,
        )
        wait_for(port)
        return process

    def worker(self, env: dict, interval: float):
        return self.start(
            "worker",
            [sys.executable, "manage.py", "db_worker", "--no-reload"]
            + ["--interval", interval, "--worker-id", "bench-front"],
            cwd=ROOT,
            env=env,
        )

    def varnish(self, tmp: Path, *, port: int, app_ports: list[int], memory="256m"):
        vcl = tmp / "careerhub.vcl"
        vcl.write_text(render_vcl(app_ports))
        process = self.start(
            "varnish",
            # No jail: the files are in a private temporary folder.
            [which("varnishd"), "-F", "-j", "none", "-n", tmp / "varnish"]
            + ["-a", f"127.0.0.1:{port}", "-f", vcl, "-s", f"malloc,{memory}"],
        )
        wait_for(port)
        return process

    def nginx(self, tmp: Path, *, port: int, root: Path):
        conf = tmp / "nginx.conf"
        conf.write_text(nginx_static_conf(tmp, port=port, root=root))
        process = self.start(
            "nginx",
            [which("nginx"), "-p", tmp, "-c", conf, "-e", tmp / "nginx-error.log"]
            + ["-g", "daemon off;"],
        )
        wait_for(port)
        return process


# wrk picks a URL at random for every request (home and the first list page
# weighted as the pages most read).
READER_SCRIPT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
"""


def reader_paths(article_paths: list[str]) -> list[str]:
    from articles.models import Author, live_topics

    lists = ["/"] * 20 + ["/articles/"] * 5
    lists += [f"/articles/?page={n}" for n in range(2, 6)]
    lists += [
        f"/topics/{slug}/" for slug in live_topics().values_list("slug", flat=True)
    ]
    lists += [author.get_absolute_url() for author in Author.objects.all()]
    return lists + article_paths


class Site:
    """GETs through Varnish as a browser sends them (gzip)."""

    def __init__(self, port: int):
        self.port = port
        self.connection = None

    def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port)
            try:
                self.connection.request(
                    "GET", path, headers={"Accept-Encoding": "gzip"}
                )
                answer = self.connection.getresponse()
                body = answer.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        if answer.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return answer.status, body


def start_readers(tmp: Path, port: int, paths: list[str], args):
    (tmp / "paths.txt").write_text("\n".join(paths) + "\n")
    (tmp / "readers.lua").write_text(READER_SCRIPT % (tmp / "paths.txt"))
    threads = min(2, args.connections)
    return subprocess.Popen(
        ["wrk", f"-t{threads}", f"-c{args.connections}", f"-d{args.seconds + 5}s"]
        + ["-H", "Accept-Encoding: gzip", "-s", str(tmp / "readers.lua")]
        + [f"http://127.0.0.1:{port}/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def warm(site: Site, paths: list[str]) -> None:
    began = time.monotonic()
    unique = list(dict.fromkeys(paths))
    for done, path in enumerate(unique, 1):
        site.get(path)
        if done % 500 == 0 or done == len(unique):
            log(
                f"  warmed {done:,}/{len(unique):,} pages in Varnish "
                f"({time.monotonic() - began:.0f} s)"
            )


def varnish_counters(tmp: Path) -> dict[str, int]:
    """MAIN.* counters of the Varnish started in ``tmp`` (varnishstat)."""
    out = subprocess.run(
        [which("varnishstat"), "-n", tmp / "varnish", "-1", "-f", "MAIN.*"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counters = {}
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1].isdigit():
            counters[fields[0].removeprefix("MAIN.")] = int(fields[1])
    return counters


def wrk(url: str, *, seconds: float, connections: int, headers=(), script=None):
    """Requests/s, p50 and p99 (ms) of wrk against ``url``."""
    args = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s"]
    args += [arg for header in headers for arg in ("-H", header)]
    args += ["-s", str(script)] if script else []
    result = subprocess.run(
        [*args, "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in result or "Socket errors" in result:
        raise SystemExit(f"{url} answered errors under load:\n{result}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", result).group(1)),
        "requests": int(re.search(r"(\d+) requests in", result).group(1)),
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", result, re.M).group(1)),
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", result, re.M).group(1)),
    }


def group_cpu_seconds(group: int) -> float:
    """User + system CPU time of every process in process group ``group``
    (a server started here: varnishd's manager and child, nginx's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())
