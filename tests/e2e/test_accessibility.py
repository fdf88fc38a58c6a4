"""axe-core finds no serious or critical accessibility problem on the pages."""

import pytest

from tests.e2e.helpers import (
    AXE_FAILING_IMPACTS,
    DESKTOP,
    PHONE,
    axe_violations,
    describe_violations,
)

# One line per page to scan: a path of the demo content, or a function called
# once the demo content is loaded that makes what the page needs and returns
# its path (e.g. a subscriber's confirmation link).
PAGES = [
    pytest.param("/", id="home"),
    pytest.param("/articles/questions-to-ask-your-interviewer/", id="article"),
    pytest.param("/topics/interviews/", id="topic"),
    pytest.param("/authors/maya-okafor/", id="author"),
    pytest.param("/articles/", id="article-list"),
    pytest.param("/articles/?page=2", id="article-list-page-2"),
]


# Both colour schemes (contrast) and both widths, in two runs per page.
LOOKS = [
    pytest.param("light", DESKTOP, id="light-1280px"),
    pytest.param("dark", PHONE, id="dark-390px"),
]


@pytest.mark.parametrize(("color_scheme", "viewport"), LOOKS)
@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_violations(
    path, color_scheme, viewport, demo_site, new_context, axe_js, step
):
    # axe is injected as an inline script, which the site's policy blocks, so
    # this context alone bypasses CSP. It only scans: the journeys run under the
    # enforced policy and fail on any violation.
    context = new_context(bypass_csp=True, color_scheme=color_scheme, viewport=viewport)
    page = context.new_page()
    if callable(path):
        path = path()
    with step(f"scan {path}", page=page):
        response = page.goto(path)
        assert response.status == 200
        violations = axe_violations(page, axe_js)
    print(describe_violations(violations))  # All impacts, shown when a test fails.
    failing = [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
    assert not failing, (
        f"axe found serious or critical problems on {path} ({color_scheme}):\n"
        + describe_violations(failing)
    )
