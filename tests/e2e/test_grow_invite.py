"""A reader finishing an article is invited further, in a real browser: nothing
leaves the site's origin until they click a share link; the share sheet
(Web Share API) and copying the link work; nothing is stored on their device;
the new parts pass axe with no violation at all, in both schemes and widths."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    DESKTOP,
    PHONE,
    axe_violations,
    both_viewports,
    describe_violations,
)

# A demo article whose main topic has more articles than its related list.
ARTICLE = "/articles/asking-for-interview-feedback/"
TITLE = "How to Ask for Interview Feedback (and Actually Get Some)"


class Requests:
    """Every request the browser makes; those leaving the site are recorded
    and answered here, never sent (the test needs no network)."""

    def __init__(self, context, origin: str):
        self.origin = origin
        self.all: list[str] = []
        self.elsewhere: list[str] = []
        context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        self.all.append(url)
        if url.startswith(self.origin + "/") or url.startswith("data:"):
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.fulfill(status=200, content_type="text/html", body="<p>Shared</p>")


@pytest.fixture
def requests(context, live_server):
    return Requests(context, live_server.url)


@both_viewports
def test_nothing_leaves_the_site_until_a_share_link_is_clicked(
    page, step, demo_site, requests, context
):
    with step("read the article to its end"):
        page.goto(ARTICLE)
        page.get_by_role(
            "region", name="Share this article"
        ).scroll_into_view_if_needed()
        page.mouse.wheel(0, 20_000)  # lazy images below load too
        page.wait_for_load_state("networkidle")
        assert requests.all, "the browser's requests were recorded"
        assert requests.elsewhere == []

    with step("the author's card and more in the topic"):
        card = page.get_by_role("region", name="Maya Okafor")
        expect(
            card.get_by_role("link", name="More articles by Maya Okafor")
        ).to_be_visible()
        more = page.get_by_role("region", name=re.compile(r"^More in "))
        expect(more.locator(".related__item").first).to_be_visible()

    with step("share on LinkedIn"):
        link = page.get_by_role("link", name="Share on LinkedIn")
        with page.expect_request(re.compile(r"linkedin\.com")) as sent:
            link.click()
        shared = urlsplit(sent.value.url)
        assert shared.netloc == "www.linkedin.com"
        assert parse_qs(shared.query)["url"][0].endswith(ARTICLE)
        assert all("linkedin.com" in url for url in requests.elsewhere)

    # Readers are counted, never tracked: nothing kept on their device.
    assert context.cookies() == []


WEB_SHARE = """
window.__shared = [];
Object.defineProperty(navigator, "share", {
  value: (data) => { window.__shared.push(data); return Promise.resolve(); },
});
"""


def test_phones_get_the_share_sheet(new_context, page_watch, step, demo_site):
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page_watch.attach(context)
    context.add_init_script(WEB_SHARE)  # the phone's share sheet, recorded
    page = context.new_page()

    with step("open the article", page=page):
        page.goto(ARTICLE)
        sheet = page.get_by_role("button", name="Share…")
        expect(sheet).to_be_visible()

    with step("share through the system sheet", page=page):
        sheet.click()
        shared = page.evaluate("window.__shared")
        assert len(shared) == 1
        assert shared[0]["title"] == TITLE
        assert shared[0]["url"].endswith(ARTICLE)
        assert page.evaluate("localStorage.length + sessionStorage.length") == 0


def test_browsers_without_the_share_sheet_show_no_share_button(page, demo_site):
    page.goto(ARTICLE)
    # Desktop Chromium on Linux has no navigator.share: the button stays hidden.
    assert page.evaluate("'share' in navigator") is False
    expect(page.get_by_role("button", name="Share…")).to_have_count(0)
    expect(page.get_by_role("link", name="Share by email")).to_be_visible()


def test_copy_link_puts_the_articles_address_on_the_clipboard(
    new_context, page_watch, step, demo_site, live_server
):
    context = new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page_watch.attach(context)
    page = context.new_page()
    with step("copy the link", page=page):
        page.goto(ARTICLE)
        page.get_by_role("button", name="Copy link").click()
        expect(
            page.get_by_role("status").filter(has_text="Link copied.")
        ).to_be_visible()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.endswith(ARTICLE)


def missing_page(page):
    return page.goto("/no-such-page/")


missing_page.status = 404

PAGES = [
    pytest.param(ARTICLE, id="article-end"),
    pytest.param("/topics/", id="topics"),
    pytest.param("/topics/interviews/", id="topic"),
    pytest.param("/topics/job-search/", id="topic-other-tone"),
    pytest.param(missing_page, id="not-found"),
]
LOOKS = [
    pytest.param("light", DESKTOP, id="light-1280px"),
    pytest.param("dark", DESKTOP, id="dark-1280px"),
    pytest.param("light", PHONE, id="light-390px"),
    pytest.param("dark", PHONE, id="dark-390px"),
]


@pytest.mark.parametrize(("color_scheme", "viewport"), LOOKS)
@pytest.mark.parametrize("path", PAGES)
def test_invitation_pages_have_no_accessibility_violations(
    path, color_scheme, viewport, demo_site, new_context, axe_js, step
):
    # axe is injected inline, which the policy blocks: this context alone
    # bypasses CSP (the journeys above run under the enforced policy).
    context = new_context(bypass_csp=True, color_scheme=color_scheme, viewport=viewport)
    page = context.new_page()
    with step(f"scan {getattr(path, '__name__', path)}", page=page):
        response = path(page) if callable(path) else page.goto(path)
        assert response.status == getattr(path, "status", 200)
        if path is missing_page:
            latest = page.get_by_role("region", name="Latest articles")
            expect(latest.locator(".related__item")).to_have_count(6)
            expect(page.get_by_role("search", name="Find an article")).to_be_visible()
        violations = axe_violations(page, axe_js)
    # Every impact counts here, minor ones included.
    assert not violations, describe_violations(violations)
