"""A reader browses from the home page to older articles, by mouse and by keyboard."""

import math
import re

from playwright.sync_api import expect

from articles.models import Article
from articles.rendering import smart_quotes
from reader.views import ARTICLES_PER_PAGE
from tests.e2e.helpers import both_viewports

QUESTIONS = (
    "Questions to Ask at the End of an Interview That Actually Tell You Something"
)
TELL_ME = "How to Answer ‘Tell Me About Yourself’ Without Reciting Your CV"


def card_titles(page) -> list[str]:
    return page.locator(".card__title").all_inner_texts()


@both_viewports
def test_reader_follows_topic_read_more_and_related_links_then_pages_the_list(
    page, step, demo_site
):
    title = page.get_by_role("heading", level=1)

    with step("open home"):
        page.goto("/")
        expect(title).to_have_text("Career advice that gets you somewhere")

    with step("follow a topic"):
        topics = page.get_by_role("region", name="Topics")
        topics.get_by_role("link", name=re.compile(r"^Interviews\b")).click()
        expect(page).to_have_url(re.compile(r"/topics/interviews/$"))
        expect(title).to_have_text("Interviews")

    with step("open an article"):
        page.get_by_role("link", name=QUESTIONS).click()
        expect(title).to_have_text(QUESTIONS)

    with step("follow the read more link"):
        read_more = page.locator(".read-more a")
        expect(read_more).to_have_text(TELL_ME)
        read_more.click()
        expect(title).to_have_text(TELL_ME)

    with step("open a related article"):
        related = page.get_by_role("region", name="Related articles")
        link = related.locator(".related__title a").filter(has_not_text=QUESTIONS).first
        related_title = link.inner_text()
        link.click()
        expect(title).to_have_text(related_title)

    with step("search from the header"):
        search = page.get_by_role("search", name="Site").get_by_label("Search articles")
        search.fill("salary")
        search.press("Enter")
        expect(page).to_have_url(re.compile(r"/search/\?q=salary$"))
        expect(title).to_have_text("Search")
        expect(page.get_by_role("status")).to_contain_text("for “salary”")
        results = page.locator(".result__title a")
        expect(results.first).to_be_visible()

    with step("open a search result"):
        result_title = results.first.inner_text()
        results.first.click()
        expect(title).to_have_text(result_title)
        expect(page.locator(".prose")).to_contain_text(re.compile("salary", re.I))

    # Titles are shown with typographic quotes.
    live = sorted(
        smart_quotes(title)
        for title in Article.objects.live().values_list("title", flat=True)
    )
    pages = math.ceil(len(live) / ARTICLES_PER_PAGE)
    assert pages >= 3, "the demo content fills at least three pages"

    with step("open the list of all articles"):
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Articles", exact=True).click()
        expect(title).to_have_text("All articles")
        expect(page.get_by_text(f"Page 1 of {pages}")).to_be_visible()
        seen = card_titles(page)

    older = page.get_by_role("link", name="Older →")
    for number in range(2, pages + 1):
        with step(f"page to older articles, page {number}"):
            older.click()
            expect(page.get_by_text(f"Page {number} of {pages}")).to_be_visible()
            seen += card_titles(page)

    with step("see the oldest page is the last"):
        expect(older).to_have_count(0)
        assert sorted(seen) == live, "paging shows every live article once"

    with step("page back to newer articles"):
        page.get_by_role("link", name="← Newer").click()
        expect(page.get_by_text(f"Page {pages - 1} of {pages}")).to_be_visible()


def test_keyboard_reader_skips_to_the_content_and_opens_an_article(
    page, step, demo_site
):
    focused = page.locator(":focus")

    with step("open home"):
        page.goto("/")

    with step("tab to the skip link"):
        page.keyboard.press("Tab")
        skip_link = page.get_by_role("link", name="Skip to content")
        expect(skip_link).to_be_focused()
        expect(skip_link).to_be_in_viewport()

    with step("skip to the main content"):
        page.keyboard.press("Enter")
        expect(page.locator("main")).to_be_focused()

    with step("tab to the first article"):
        # The featured card's topic link comes first, then its title.
        for _ in range(5):
            page.keyboard.press("Tab")
            if focused.evaluate("el => el.matches('.card__title a')"):
                break
        expect(focused).to_have_count(1)
        assert focused.evaluate("el => el.closest('main') !== null")
        assert focused.evaluate("el => el.matches('.card__title a')")
        outline = focused.evaluate("el => getComputedStyle(el).outlineStyle")
        assert outline != "none", "the focused link shows a focus ring"
        article_title = focused.inner_text()

    with step("open it with Enter"):
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(article_title)
