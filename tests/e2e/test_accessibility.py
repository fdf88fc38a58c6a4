"""axe-core finds no serious or critical accessibility problem on the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from newsletter import tokens
from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
)
from tests.factories import ArticleFactory, EditionFactory, SubscriberFactory


def confirmation_page(page):
    subscriber = SubscriberFactory(status="pending")
    token = tokens.make_confirmation_token(subscriber, issued_at=timezone.now())
    return page.goto(f"/newsletter/confirm/{token}/")


def unsubscribe_page(page):
    return page.goto(SubscriberFactory().get_unsubscribe_path())


def check_your_inbox_page(page):
    """The answer to the sign-up form's POST, so the browser posts the form."""
    page.goto("/newsletter/")
    page.get_by_label("Email address").fill("reader@example.com")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Subscribe").click()
    page.wait_for_load_state()
    return answer.value


def editions_archive_page(page):
    articles = Article.objects.live().newest_first()[:3]
    for number, subject in enumerate(["The offer season", "Five CV fixes"]):
        EditionFactory(
            subject=subject,
            status="sent",
            started_at=timezone.now() - timedelta(days=7 * number),
            articles=articles,
        )
    return page.goto("/newsletter/editions/")


def edition_page(page):
    edition = EditionFactory(
        subject="The offer season",
        status="sent",
        started_at=timezone.now() - timedelta(days=3),
        articles=Article.objects.live().newest_first()[:3],
    )
    return page.goto(edition.get_absolute_url())


def home_with_a_coverless_lead_page(page):
    ArticleFactory(
        title="A guide still waiting for its picture",
        topics=["interviews"],
        featured=True,
        published_at=timezone.now() - timedelta(minutes=5),
    )
    return page.goto("/")


def not_found_page(page):
    return page.goto("/no-such-page/")


not_found_page.status = 404


# One line per page to scan: a path of the demo content, or a function called
# with the browser page once the demo content is loaded, that makes what the
# page needs, opens it (e.g. a subscriber's confirmation link) and returns the
# response.
PAGES = [
    pytest.param("/", id="home"),
    pytest.param("/articles/questions-to-ask-your-interviewer/", id="article"),
    pytest.param("/topics/", id="topics"),
    pytest.param("/topics/interviews/", id="topic"),
    pytest.param("/authors/maya-okafor/", id="author"),
    pytest.param("/articles/", id="article-list"),
    pytest.param("/articles/?page=2", id="article-list-page-2"),
    pytest.param("/search/?q=salary+negotiation", id="search-results"),
    pytest.param("/search/?q=zebra", id="search-no-results"),
    pytest.param("/newsletter/", id="newsletter-signup"),
    pytest.param(check_your_inbox_page, id="newsletter-check-your-inbox"),
    pytest.param(confirmation_page, id="newsletter-confirm"),
    pytest.param(unsubscribe_page, id="newsletter-unsubscribe"),
    pytest.param(editions_archive_page, id="newsletter-editions"),
    pytest.param(edition_page, id="newsletter-edition"),
    pytest.param("/about/", id="about"),
    pytest.param("/privacy/", id="privacy"),
    pytest.param(home_with_a_coverless_lead_page, id="home-card-without-cover"),
    pytest.param(not_found_page, id="not-found"),
]


# Both colour schemes (contrast) at both widths.
LOOKS = [
    pytest.param("light", DESKTOP, id="light-1280px"),
    pytest.param("dark", DESKTOP, id="dark-1280px"),
    pytest.param("light", PHONE, id="light-390px"),
    pytest.param("dark", PHONE, id="dark-390px"),
]


@pytest.mark.parametrize(("color_scheme", "viewport"), LOOKS)
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(
    path,
    color_scheme,
    viewport,
    demo_site,
    newsletter_outbox,
    new_context,
    axe_js,
    step,
):
    # axe is injected as an inline script, which the site's policy blocks, so
    # this context alone bypasses CSP. It only scans: the journeys run under the
    # enforced policy and fail on any violation.
    context = new_context(bypass_csp=True, color_scheme=color_scheme, viewport=viewport)
    page = context.new_page()
    with step(f"scan {getattr(path, '__name__', path)}", page=page):
        response = path(page) if callable(path) else page.goto(path)
        assert response.status == getattr(path, "status", 200)
        url = page.url
        violations = axe_violations(page, axe_js)
    print(describe_violations(violations))  # All impacts, shown when a test fails.
    failing = [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
    assert not failing, (
        f"axe found serious or critical problems on {url} ({color_scheme}):\n"
        + describe_violations(failing)
    )
