"""Figures and a video in a real browser: nothing is fetched from YouTube or
Vimeo until the reader presses play, the player then comes from the
privacy-enhanced host within the content security policy, and the page passes
axe and the Nu checker at phone and desktop widths. The editor's picker
inserts a library image's line into the text."""

import shutil
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.models import Article
from articles.roles import apply_role_permissions
from tests.articles.media_library import library_image
from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    DESKTOP,
    ROOT,
    axe_violations,
    both_viewports,
    describe_violations,
    log_in_to_admin,
    screenshot,
)
from tests.e2e.test_grow_invite import Requests
from tests.factories import ArticleFactory, AuthorFactory, EditorFactory
from tests.newsletter.test_mail_quality import vnu_jar

SHOTS = ROOT / "test-artifacts" / "screenshots" / "media"
YOUTUBE_ID = "dQw4w9WgXcQ"
BODY = """Most hiring still runs through people you know.

[[image:{chart}]]

Write to three former colleagues this week. Ask what their team needs.

[[video:https://www.youtube.com/watch?v={video}|Mock interview: the first five minutes]]

A tidy desk helps you focus on the calls that matter.

[[image:{desk}]]

Keep notes after every conversation.
"""


@pytest.fixture
def article(transactional_db, settings, live_server):
    settings.SITE_URL = live_server.url
    chart = library_image(
        title="Hires by source",
        alt="Bar chart: referrals bring the most hires, job boards the fewest",
        caption="Where last year's hires came from.",
        credit="Chart: CareerHub survey",
    )
    desk = library_image(
        name="desk.jpg", size=(1200, 800), title="Desk", alt="A tidy desk by a window"
    )
    return ArticleFactory(
        title="Your network is your job search",
        slug="network-job-search",
        author=AuthorFactory(name="Maya Okafor", slug="maya-okafor"),
        body=BODY.format(chart=chart.pk, desk=desk.pk, video=YOUTUBE_ID),
    )


@pytest.fixture
def roles(transactional_db):
    """The Editors and Writers groups: a transactional test flushed the migration's."""
    apply_role_permissions()


@pytest.fixture
def requests(context, live_server):
    return Requests(context, live_server.url)


@both_viewports
def test_nothing_comes_from_the_video_site_until_play_is_pressed(
    page, step, article, requests, viewport
):
    with step("read the article to its end"):
        page.goto(article.get_absolute_url())
        expect(page.locator("figure.figure img").first).to_be_visible()
        page.mouse.wheel(0, 20_000)  # lazy figures below load too
        page.wait_for_load_state("networkidle")
        assert requests.all
        assert requests.elsewhere == []
        assert page.locator("iframe").count() == 0
        images = page.locator("figure.figure img")
        assert images.count() == 2
        for index in range(2):  # every figure loaded, at its own size
            assert images.nth(index).evaluate("img => img.naturalWidth") > 0

    with step("the video's frame, before playing"):
        play = page.get_by_role(
            "link", name="Play video: Mock interview: the first five minutes"
        )
        play.scroll_into_view_if_needed()
        expect(play).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, SHOTS / f"article-{viewport['width']}.png")
        assert requests.elsewhere == []

    with step("press play"):
        with page.expect_request("https://www.youtube-nocookie.com/**") as sent:
            play.click()
        assert sent.value.url == (
            f"https://www.youtube-nocookie.com/embed/{YOUTUBE_ID}?autoplay=1"
        )
        frame = page.locator("iframe.video__player")
        expect(frame).to_have_attribute(
            "title", "Mock interview: the first five minutes"
        )
        assert all("youtube-nocookie.com" in url for url in requests.elsewhere)


@both_viewports
def test_the_article_with_figures_and_video_passes_axe_and_nu(
    new_context, article, axe_js, viewport, tmp_path
):
    # axe is injected inline: this context alone bypasses the CSP.
    page = new_context(bypass_csp=True, viewport=viewport).new_page()
    page.goto(article.get_absolute_url())
    page.mouse.wheel(0, 20_000)
    page.wait_for_load_state("networkidle")
    content = page.content()

    failing = [
        v for v in axe_violations(page, axe_js) if v["impact"] in AXE_FAILING_IMPACTS
    ]
    everything = axe_violations(page, axe_js)

    assert not failing, describe_violations(failing)
    assert not everything, describe_violations(everything)
    if shutil.which("java"):
        html = tmp_path / "article.html"
        html.write_text(content, encoding="utf-8")
        result = subprocess.run(
            ["java", "-jar", str(vnu_jar()), "--errors-only", str(html)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_the_library_pages_pass_axe(new_context, roles, axe_js, live_server):
    EditorFactory(username="edna")
    library_image(title="Hires by source", caption="Where hires came from")
    # axe is injected inline: this context alone bypasses the CSP.
    page = new_context(bypass_csp=True, viewport=DESKTOP).new_page()
    log_in_to_admin(page, "edna")
    for name, url in (
        ("library", reverse("admin:articles_mediaimage_changelist")),
        ("library-add", reverse("admin:articles_mediaimage_add")),
    ):
        page.goto(url)
        SHOTS.mkdir(parents=True, exist_ok=True)
        screenshot(page, SHOTS / f"{name}-1280.png")
        failing = [
            v
            for v in axe_violations(page, axe_js)
            if v["impact"] in AXE_FAILING_IMPACTS
        ]
        assert not failing, describe_violations(failing)


def test_the_picker_inserts_an_image_line_where_the_cursor_is(page, step, roles):
    EditorFactory(username="edna")
    chart = library_image(title="Hires by source", alt="Bar chart of hires")
    library_image(title="Team lunch", alt="Colleagues at a table")
    log_in_to_admin(page, "edna")

    with step("search the library from the article form"):
        page.goto(reverse("admin:articles_article_add"))
        body = page.get_by_label("Body")
        body.fill("First paragraph.\nSecond paragraph.")
        body.evaluate("area => area.setSelectionRange(16, 16)")  # after the first
        page.get_by_label("Search the library").fill("bar chart")
        page.get_by_label("Search the library").press("Enter")
        expect(page.get_by_text("1 image for “bar chart”")).to_be_visible()
        screenshot(page, SHOTS / "picker-1280.png")

    with step("insert it"):
        page.get_by_role("button", name="Insert “Hires by source”").click()
        assert body.input_value() == (
            f"First paragraph.\n\n[[image:{chart.pk}]]\n\nSecond paragraph."
        )
        expect(body).to_be_focused()
    assert not Article.objects.exists()
