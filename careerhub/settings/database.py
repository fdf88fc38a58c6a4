"""The database: SQLite unless DATABASE_URL is set (postgres://user:pass@host/db)."""

import dj_database_url

from careerhub.settings.core import BASE_DIR
from careerhub.settings.env import env_float, env_int

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
    #
    # The planner is told a random read costs about what a sequential one
    # does (random_page_cost, PostgreSQL's default 4 is for spinning disks),
    # as its docs advise when the data is cached or on SSD. With 4, a search
    # for a word in 2% of articles walked the newest articles checking each
    # one's search vector (25,000 of them at 100,000 articles: 75-110 ms)
    # instead of reading its 2,000 matches through the GIN index (4-8 ms),
    # depending on which sample ANALYZE last took. Set per connection, at
    # connect time: no query of its own.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 5),
        "options": f"-c random_page_cost={env_float('DATABASE_RANDOM_PAGE_COST', 1.1)}",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# An index on recent articles carries the search columns (``include``) for
# PostgreSQL's index-only scans; SQLite keeps the index without them, as
# intended, and need not warn about it (models.W040). PostgreSQL, where the
# columns matter, is never silenced.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
