"""The live preview is the page: the public article template and stylesheet
in a frame beside the body, at a phone's width or a desktop's
(desk/preview_frame.py, static/js/desk-preview-frame.js)."""

import shutil
import subprocess

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from articles.roles import apply_role_permissions
from tests.e2e.helpers import (
    axe_violations,
    both_viewports,
    describe_violations,
    log_in_to_admin,
)
from tests.factories import ArticleFactory, DraftArticleFactory, EditorFactory
from tests.newsletter.test_mail_quality import vnu_jar


@pytest.fixture
def draft(transactional_db):
    apply_role_permissions()
    EditorFactory(username="edna")
    ArticleFactory(title="Salary bands explained", slug="salary-bands-explained")
    return DraftArticleFactory(
        title="Negotiating your first offer",
        slug="negotiating-your-first-offer",
        body=(
            "## Before the call\n\n"
            "- Write down the number you want.\n"
            "- Know your walk-away figure.\n\n"
            "> Silence is a tool.\n\n"
            "[[read-more:salary-bands-explained]]"
        ),
    )


def frame_style(page, selector: str, prop: str) -> str:
    return (
        page.frame_locator("#desk-preview-frame")
        .locator(selector)
        .first.evaluate(f"el => getComputedStyle(el).{prop}")
    )


@both_viewports
def test_preview_shows_the_page_at_phone_and_desktop_width(
    draft, new_context, viewport, page_watch, axe_js, step
):
    # axe is injected as an inline script: this context alone bypasses CSP
    # (test_typing_updates_the_page_after_a_pause runs under the policy).
    context = new_context(bypass_csp=True, viewport=viewport)
    page_watch.attach(context)
    page = context.new_page()
    with step("open the draft: the preview is the public page", page=page):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_change", args=[draft.pk]))
        frame = page.frame_locator("#desk-preview-frame")
        prose = frame.locator(".prose")
        expect(prose.get_by_role("heading", name="Before the call")).to_be_visible()
        expect(frame.locator("h1.article__title")).to_have_text(draft.title)
        # The readers' fonts and bullets, not the admin's.
        assert "Source Serif 4" in frame_style(page, ".prose", "fontFamily")
        assert frame_style(page, ".prose li", "listStyleType") == "disc"
        expect(prose.locator(".read-more")).to_contain_text("Salary bands explained")
        page.locator("#desk-preview").scroll_into_view_if_needed()

    phone = page.get_by_role("button", name="Phone")
    with step("phone width: the page at 390 px", page=page):
        phone.click()
        expect(phone).to_have_attribute("aria-pressed", "true")
        assert frame_width(page) == 390
        page.locator("#desk-preview").scroll_into_view_if_needed()

    with step("no accessibility violation on the form", page=page):
        violations = axe_violations(page, axe_js)
        assert violations == [], describe_violations(violations)

    with step("desktop width: the page at 1280 px, scaled to fit", page=page):
        desktop = page.get_by_role("button", name="Desktop")
        desktop.click()
        expect(desktop).to_have_attribute("aria-pressed", "true")
        expect(phone).to_have_attribute("aria-pressed", "false")
        assert frame_width(page) == 1280
        box = page.locator("#desk-preview-frame").bounding_box()
        stage = page.locator("#desk-preview-stage").bounding_box()
        assert box["width"] <= stage["width"] + 1
        page.locator("#desk-preview").scroll_into_view_if_needed()


def assert_valid_html(folder, **pages: str):
    if shutil.which("java") is None:
        pytest.skip("the Nu checker needs java: apt-get install default-jre-headless")
    files = []
    for name, content in pages.items():
        files.append(folder / f"{name}.html")
        files[-1].write_text(content, encoding="utf-8")
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def frame_width(page) -> int:
    return page.locator("#desk-preview-frame").evaluate(
        "frame => frame.contentWindow.innerWidth"
    )


def test_typing_updates_the_page_after_a_pause(page, step, draft):
    with step("type a title and a paragraph"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_change", args=[draft.pk]))
        frame = page.frame_locator("#desk-preview-frame")
        page.locator("#id_title").fill("Your first offer")
        expect(frame.locator("h1.article__title")).to_have_text("Your first offer")
        body = page.locator("#id_body")
        body.press("Control+End")
        body.press_sequentially("\n\nA new **closing** paragraph.")
        closing = frame.locator(".prose strong", has_text="closing")
        expect(closing).to_be_visible()
        assert frame_style(page, ".prose strong", "fontWeight") == "700"


def test_the_frame_page_is_framed_only_by_the_site(client, draft):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="edna"))
    response = client.get(
        reverse("admin:articles_article_preview_frame", args=[draft.pk])
    )
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert b"<script src=" not in response.content
    new = client.get(reverse("admin:articles_article_preview_frame"))
    assert new.status_code == 200
    assert b'class="prose"' in new.content
    missing = client.get("/admin/articles/article/abc/live-preview/page/")
    assert missing.status_code == 404


def test_the_framed_pages_pass_the_nu_checker(client, draft, tmp_path):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="edna"))
    pages = {
        "frame": reverse("admin:articles_article_preview_frame", args=[draft.pk]),
        "frame-new": reverse("admin:articles_article_preview_frame"),
    }
    assert_valid_html(
        tmp_path,
        **{name: client.get(url).content.decode() for name, url in pages.items()},
    )


def test_the_toolbar_and_preview_pass_the_nu_checker(page, draft, tmp_path):
    """Their markup as the scripts leave it, in a page of its own (the admin's
    own widgets elsewhere on the form are Django's business)."""
    log_in_to_admin(page, "edna")
    page.goto(reverse("admin:articles_article_change", args=[draft.pk]))
    expect(page.get_by_role("button", name="Phone")).to_have_attribute(
        "aria-pressed", "true"
    )
    parts = page.evaluate(
        """() => [".desk-toolbar", "#id_body", "#id_body_helptext",
                  "#desk-toolbar-status", "#desk-preview"]
             .map((selector) => document.querySelector(selector).outerHTML)"""
    )
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Writing aids</title></head><body><main>"
        + "".join(parts)
        + "</main></body></html>"
    )
    assert_valid_html(tmp_path, writing_aids=document)
