"""An editor's preview of a draft never reaches the page cache, a shared cache
or another visitor, with the page cache on (over each kind of backend).

The draft's title is the secret: after an editor has previewed it, nobody else
may get it from any copy kept on the way.
"""

import pytest
from django.test import Client
from django.urls import reverse

from reader import pagecache
from tests.factories import DraftArticleFactory, EditorFactory

pytestmark = pytest.mark.django_db

SECRET = "Secret draft about layoffs"


@pytest.fixture(params=["locmem", "redis"])
def page_cache(request, settings):
    """The page cache on, over each kind of backend, emptied first."""
    if request.param == "redis":
        backend = {
            "BACKEND": "careerhub.redis_cache.RedisCache",
            "LOCATION": request.getfixturevalue("redis_url"),
        }
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": backend}
    settings.PAGE_CACHE_SECONDS = 600
    pagecache.page_cache().clear()
    yield pagecache.page_cache()
    pagecache.page_cache().clear()


@pytest.fixture
def cache_writes(page_cache, monkeypatch):
    """The keys written to the page cache's backend from now on."""
    backend = type(page_cache)
    written = []
    for name in ("set", "add", "set_many"):
        original = getattr(backend, name)

        def spy(self, key, *args, _original=original, **kwargs):
            written.extend(key if isinstance(key, dict) else [key])
            return _original(self, key, *args, **kwargs)

        monkeypatch.setattr(backend, name, spy)
    return written


@pytest.fixture
def draft(now):
    return DraftArticleFactory(title=SECRET)


def preview_url(article) -> str:
    return reverse("admin:articles_article_preview", args=[article.pk])


def test_a_draft_preview_is_never_stored_nor_shared(
    client, page_cache, cache_writes, draft
):
    editor = Client()
    editor.force_login(EditorFactory())
    url = preview_url(draft)
    cache_writes.clear()  # from here on: the preview and what follows it

    preview = editor.get(url)

    assert preview.status_code == 200
    assert SECRET in preview.text
    # Nothing kept on the server: no page, no fragment (only the page
    # cache's generation record may be written).
    assert set(cache_writes) <= {pagecache.GENERATION_KEY}, cache_writes
    # Nothing a browser's shared cache, a proxy or a CDN may keep.
    cache_control = {
        directive.strip() for directive in preview["Cache-Control"].split(",")
    }
    assert {"private", "no-store"} <= cache_control
    assert "public" not in cache_control
    # Other visitors get nothing of it, by the preview's URL or the public one.
    for _ in range(2):  # the second request would be a hit if the first stored
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith(reverse("admin:login"))
        assert SECRET not in anonymous.text
        assert client.get(draft.get_absolute_url()).status_code == 404
    assert set(cache_writes) <= {pagecache.GENERATION_KEY}, cache_writes
