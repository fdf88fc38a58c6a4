"""The database: SQLite unless DATABASE_URL is set (postgres://user:pass@host/db)."""

import dj_database_url

from careerhub.settings.core import BASE_DIR
from careerhub.settings.env import env_int

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the task worker share the file (`make run`): as the
    # Django docs advise for concurrent use, readers never block the writer
    # (WAL), a transaction takes the write lock when it begins, so it waits
    # its turn instead of failing "database is locked" when it upgrades
    # (IMMEDIATE), and waits up to 20 s for it (timeout).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer (down, or cut off) costs a request
    # at most this many seconds before it gets the 503 page, not the
    # system's TCP timeout of minutes. A persistent connection (CONN_MAX_AGE)
    # that a restart broke is dropped and opened anew (CONN_HEALTH_CHECKS).
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5),
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# An index on recent articles carries the search columns (``include``) for
# PostgreSQL's index-only scans; SQLite keeps the index without them, as
# intended, and need not warn about it (models.W040). PostgreSQL, where the
# columns matter, is never silenced.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
