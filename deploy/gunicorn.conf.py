"""gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py careerhub.wsgi`.

Every value can be overridden from the environment (GUNICORN_* below) or the
command line. gunicorn sits behind nginx (deploy/nginx/careerhub.conf), which
buffers whole requests and responses, so sync workers never wait on a slow
client: a worker is busy only while Django computes a page.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# Listen on loopback only: nginx is the one client.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Pages are CPU-bound (templates, Markdown), so sync workers, about two per
# core (the classic 2 x cores + 1). WEB_CONCURRENCY is the platforms' name.
worker_class = "sync"
workers = _int(
    "WEB_CONCURRENCY", _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
)
# A request that takes longer than this is killed and the worker replaced.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGHUP/SIGTERM, workers finish their current request within this time.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# nginx keeps connections to the upstream open briefly.
keepalive = 5
# Recycle workers now and then (with jitter, so not all at once): bounds
# memory growth from any leak without a visible restart.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
# Not preloaded: on SIGHUP (`systemctl reload careerhub-web`) gunicorn starts
# new workers on the new code and lets the old ones finish their requests, so
# a deploy drops no request.
preload_app = False
# Access log on stdout (journald collects it): client address as nginx saw it,
# request, status, bytes, duration in microseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: none
access_log_format = (
    '%({x-real-ip}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s" %(D)sus'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the local proxy.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Temporary files of the worker heartbeat in memory, not on a slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


# The readers' figures (audience/flush.py): each worker writes its batch of
# counts when due even while no beacon comes, and before it exits.
def post_worker_init(worker):
    from audience.flush import flush_when_idle

    flush_when_idle()


def worker_exit(server, worker):
    from audience.flush import flush

    flush()
