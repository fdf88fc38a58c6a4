import pytest


@pytest.fixture(autouse=True)
def _bench_settings(settings, tmp_path):
    """The same quiet settings as the test suite: no shared cache, local media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    }
