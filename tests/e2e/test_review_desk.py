"""The article form in Chromium (review item 9b and 9c): the focal-point marker
sits where the editor clicked on the cover, and a click while an autocomplete
dropdown is open reaches what was clicked, without the page jumping."""

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from articles.roles import apply_role_permissions
from tests.e2e.helpers import both_viewports, log_in_to_admin
from tests.factories import ArticleFactory, EditorFactory


@pytest.fixture
def editor(transactional_db):
    apply_role_permissions()  # a transactional test flushed the migration's groups
    return EditorFactory(username="edna")


@pytest.fixture
def cover(tmp_path):
    path = tmp_path / "wide.jpg"
    Image.new("RGB", (1600, 900), "teal").save(path, "JPEG")
    return path


def centre(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@both_viewports
def test_focal_marker_is_drawn_where_the_editor_clicked(page, step, editor, cover):
    with step("choose a cover on a new article"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_add"))
        page.locator("#id_cover_image").set_input_files(cover)
        image = page.locator(".cover-focus__image")
        expect(image).to_be_visible()
        page.wait_for_function(
            "() => document.querySelector('.cover-focus__image').naturalWidth > 0"
        )

    with step("the marker starts on the picture's centre"):
        image.scroll_into_view_if_needed()
        marker = page.locator(".cover-focus__marker")
        mx, my = centre(marker.bounding_box())
        ix, iy = centre(image.bounding_box())
        assert abs(mx - ix) <= 2 and abs(my - iy) <= 2, (mx, my, ix, iy)

    with step("click a quarter across and down: the marker goes there"):
        box = image.bounding_box()
        image.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.25})
        expect(page.locator("#id_cover_focal_x")).to_have_value("0.250")
        box = image.bounding_box()
        mx, my = centre(marker.bounding_box())
        target = (box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
        assert abs(mx - target[0]) <= 2 and abs(my - target[1]) <= 2, (
            (mx, my),
            target,
        )


@both_viewports
def test_a_click_while_an_autocomplete_is_open_reaches_its_target(page, step, editor):
    article = ArticleFactory(title="Negotiating your first offer")
    ArticleFactory(title="Salary bands explained")

    with step("open the related articles picker"):
        log_in_to_admin(page, "edna")
        page.goto(reverse("admin:articles_article_change", args=[article.pk]))
        picker = page.locator("#id_related + .select2")
        picker.scroll_into_view_if_needed()
        picker.click()
        expect(
            page.locator(".select2-container--open .select2-results")
        ).to_be_visible()

    with step("scroll down to the featured box and click it, the picker still open"):
        featured = page.locator("#id_featured")
        featured.scroll_into_view_if_needed()
        before = page.evaluate("() => window.scrollY")
        box = featured.bounding_box()
        page.mouse.click(*centre(box))
        after = page.evaluate("() => window.scrollY")
        expect(featured).to_be_checked()
        assert after == before
        expect(page.locator(".select2-container--open")).to_have_count(0)
