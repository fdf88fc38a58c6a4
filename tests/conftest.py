import pytest
import time_machine

from tests import tasks


def pytest_configure(config):
    # Before the test database exists: tasks run at once unless a test asks
    # for the real queue (the db_tasks fixture). See tests/tasks.py.
    from django.conf import settings

    settings.TASKS = tasks.IMMEDIATE
    tasks.reset_task_backends(setting="TASKS")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Fast hashing, uploads in a temporary folder, no shared cache between tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
    # Every LocMemCache of one LOCATION shares its store, across tests too:
    # emptied, so no test sees the pages and fragments an earlier one kept.
    from django.core.cache import caches

    caches["default"].clear()
    settings.SITE_URL = "https://careerhub.example"
    # One process: its own changes reach it at once, and a poll of the
    # generation row (for other processes' changes, tests/articles/
    # test_review_cache_workers.py) would add a query at random to budgets.
    settings.PAGE_CACHE_POLL_SECONDS = 3600


@pytest.fixture
def now():
    """Freeze time at NOW (a Monday noon UTC; 13:00 in London, BST) for the
    whole test: dates are fixed, never "now plus a bit"."""
    from tests.factories import NOW

    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def is_postgres(settings):
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def db_tasks(settings):
    """The real task queue (django-tasks-db): enqueued tasks wait for a worker."""
    settings.TASKS = tasks.DATABASE
    return tasks.Queue()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis server for this test session (skipped without redis-server)."""
    from tests.services import Processes, start_redis

    processes = Processes(tmp_path_factory.mktemp("redis"))
    try:
        yield start_redis(processes)
    finally:
        processes.stop_all()


@pytest.fixture
def redis_cache(settings, redis_url):
    """The default cache on that Redis server, emptied before the test."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        }
    }
    cache.clear()
    return cache
