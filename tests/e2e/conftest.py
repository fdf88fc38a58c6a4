"""Browser tests: headless Chromium (Debian's) driven by Playwright.

Every test here is marked ``e2e`` (run alone with ``pytest -m e2e``). Tests get
a ``page`` whose context fails the test on any content security policy
violation or console error, a ``step`` helper that screenshots each step into
test-artifacts/screenshots/<test>/ and names the step that failed, and
``demo_site``: the demo content, loaded once per session and restored before
each test.
"""

import io
import itertools
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from tests.e2e.helpers import (
    AXE_DIR,
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    E2E_DIR,
    IN_CI,
    ROOT,
    SCREENSHOTS,
    PageWatch,
    screenshot,
    slugify,
)
from tests.npm import npm_package

# Playwright's sync API runs an event loop in the test thread; without this the
# ORM, used by fixtures in that thread, raises SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # tryfirst: the mark is in place before `-m e2e` / `-m "not e2e"` selects.
    for item in items:
        if E2E_DIR not in Path(item.path).parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if not CHROMIUM.exists() and not IN_CI:
            # In CI (.ci/run installs Chromium) a missing browser must fail, not skip.
            item.add_marker(
                pytest.mark.skip(
                    reason=f"{CHROMIUM} not found: install it with "
                    "`apt-get install chromium` to run the browser tests"
                )
            )


# ---------------------------------------------------------------------------
# Browser and server
# ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download does not work here: use Debian's.
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


class OneRequestAtATime:
    """WSGI wrapper: the live server handles one request at a time.

    Its threads share the test's in-memory SQLite connection, and SQLite's
    Python driver mixes up statements run on one connection at once: a page
    and the preview frame loading together got 500s ("bad parameter or other
    API misuse", a model built from another query's row) and 404s. The whole
    response is read inside the lock, since a streamed one reads the database
    as it goes.
    """

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, serialized when it shares a connection."""
    if live_server.thread.connections_override:
        httpd = live_server.thread.httpd
        httpd.set_app(OneRequestAtATime(httpd.get_app()))
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, django_db_setup, live_server):
    # The test database first: the live server only shares an in-memory SQLite
    # database it can see when it starts (else every request leaks a connection).
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def viewport():
    """The window size; a test runs at both with @both_viewports."""
    return DESKTOP


@pytest.fixture
def page_watch():
    """Collects CSP violations and console errors from the browser contexts.

    The test fails at teardown if any were reported that no step checked.
    """
    watch = PageWatch()
    yield watch
    watch.assert_clean("after the last step")


@pytest.fixture
def context(new_context, viewport, page_watch):
    context = new_context(viewport=viewport)
    page_watch.attach(context)
    yield context
    # Checked while the pages are still open, to collect what is in flight.
    page_watch.assert_clean("after the last step")


@pytest.fixture
def step(request, page_watch):
    """``with step("open article"):`` runs one step of a journey.

    Saves test-artifacts/screenshots/<test>/<NN>-<step>.png at the end of the
    step (``-failed`` when it fails), checks that the browser reported no CSP
    violation or console error, and names the step in the failure message.
    Pass ``page=`` to screenshot another page than the default one.
    """
    folder = SCREENSHOTS / slugify(request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    numbers = itertools.count(1)

    @contextmanager
    def run_step(name: str, *, page=None):
        page = page or request.getfixturevalue("page")
        number = next(numbers)
        path = folder / f"{number:02d}-{slugify(name)}.png"
        try:
            yield page
            page_watch.assert_clean(f"during step {number} {name!r}")
        except Exception as error:
            failed = path.with_stem(path.stem + "-failed")
            screenshot(page, failed)
            raise AssertionError(
                f"Step {number} {name!r} failed (screenshot: "
                f"{failed.relative_to(ROOT)}): {error}"
            ) from error
        screenshot(page, path)

    return run_step


# ---------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------
class _Rollback(Exception):
    pass


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content as a fixture file plus its media folder, made once.

    load_demo draws and resizes ~40 images (seconds); loading the dumped rows
    before each test takes a fraction of that.
    """
    folder = tmp_path_factory.mktemp("demo")
    media, data = folder / "media", folder / "demo.json"
    # Two rendition widths instead of four halve the time; pages look the same.
    images = override_settings(MEDIA_ROOT=media, IMAGE_RENDITION_WIDTHS=(480, 800))
    with django_db_blocker.unblock(), images:
        try:
            with transaction.atomic():
                call_command("load_demo", stdout=io.StringIO())
                # Natural keys: content type ids change when tests flush the tables.
                call_command(
                    "dumpdata",
                    "articles",
                    "taggit",
                    natural_foreign=True,
                    output=str(data),
                    verbosity=0,
                )
                raise _Rollback
        except _Rollback:
            pass
    return data, media


@pytest.fixture
def demo_site(transactional_db, demo_snapshot, settings):
    """The demo articles, authors, topics and images, served by the live server.

    Dates are relative to the start of the session, as load_demo makes them.
    Media is shared by the session's tests: uploads add files, never replace.
    """
    data, media = demo_snapshot
    settings.MEDIA_ROOT = media
    call_command("loaddata", str(data), verbosity=0)


@pytest.fixture
def newsletter_outbox(settings, live_server, mailoutbox):
    """The mails the site sends, with links that open on the live server.

    The live server runs in this process, so its mails land in this outbox.
    The rate limit is lifted and its counts (kept in the cache) cleared, and a
    week without new articles still gets an edition.
    """
    settings.SITE_URL = live_server.url
    settings.NEWSLETTER_RATE_LIMIT = "1000/hour"
    settings.NEWSLETTER_SKIP_EMPTY_WEEKS = False
    cache.clear()
    yield mailoutbox
    cache.clear()


# ---------------------------------------------------------------------------
# Accessibility
# ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def axe_js() -> Path:
    """axe-core from the npm registry, installed once into a git-ignored folder."""
    npm_package("axe-core@4", AXE_DIR)
    return AXE_JS
