"""Helpers for the browser tests; the fixtures are in conftest.py."""

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_DIR = E2E_DIR / ".axe"
AXE_JS = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = bool(os.environ.get("CI"))
# The password tests.factories.UserFactory gives every user.
PASSWORD = "correct horse battery staple"

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Use as @both_viewports to run a test at 390 px and at 1280 px.
both_viewports = pytest.mark.parametrize(
    "viewport", [pytest.param(PHONE, id="390px"), pytest.param(DESKTOP, id="1280px")]
)


# Records every violation in the page (window.__cspViolations, handy when
# debugging) and reports it to the test through an exposed binding, so that
# violations on a page the test has already left are not lost.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const violation = {
    directive: e.violatedDirective,
    blocked: e.blockedURI,
    source: e.sourceFile,
    line: e.lineNumber,
  };
  window.__cspViolations.push(violation);
  if (window.__reportCspViolation) window.__reportCspViolation(violation);
});
"""


class PageWatch:
    """Collects CSP violations and console errors of the contexts attached."""

    def __init__(self):
        self.problems = []
        self.contexts = []

    def attach(self, context):
        self.contexts.append(context)
        context.expose_binding(
            "__reportCspViolation",
            lambda source, v: self.problems.append(
                f"CSP violation on {source['frame'].url}: {v['directive']} blocked "
                f"{v['blocked'] or 'inline code'} at {v['source']}:{v['line']}"
            ),
        )
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._on_console)
        context.on(
            "weberror", lambda error: self.problems.append(f"JS error: {error.error}")
        )

    def _on_console(self, message):
        # Chromium reports CSP violations as console errors too ("Refused to...
        # because it violates the following Content Security Policy directive").
        if message.type == "error":
            where = message.location.get("url") or message.page.url
            self.problems.append(f"Console error on {where}: {message.text}")

    def assert_clean(self, where: str):
        # A round trip to each page delivers events still in flight.
        for context in self.contexts:
            for page in context.pages:
                if not page.is_closed():
                    page.evaluate("1")
        problems, self.problems = self.problems, []
        assert not problems, f"Browser reported problems {where}:\n" + "\n".join(
            f"  - {problem}" for problem in problems
        )


def screenshot(page, path: Path):
    """A full-page screenshot with lazy images loaded, as a reader scrolling sees it."""
    try:
        page.evaluate(
            """() => Promise.all([...document.images].map((img) => {
                 img.loading = "eager";
                 return img.complete ? null : img.decode().catch(() => null);
               }))"""
        )
        page.screenshot(path=path, full_page=True, animations="disabled")
    except Exception as error:  # A failed screenshot must not hide the real error.
        path.with_suffix(".txt").write_text(f"No screenshot: {error}\n")


def slugify(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-").lower()


def log_in_to_admin(page, username: str, password: str = PASSWORD):
    """Log in through the admin's login form, as an editor would."""
    page.goto("/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


# Impacts that fail a test; "minor" and "moderate" ones are printed only.
AXE_FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(page, axe_js: Path) -> list[dict]:
    page.add_script_tag(path=axe_js)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html'][:160]}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"      {summary[:400]}")
    return "\n".join(lines)


def tab_to(page, target, *, limit: int = 60):
    """Press Tab until ``target`` (a locator) has the focus, as a keyboard user does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached with {limit} presses of Tab")


def assert_focus_visible(target):
    """The focused ``target`` shows a focus ring a sighted keyboard user can see."""
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    ring = target.evaluate(
        """el => ({
             keyboard: el.matches(":focus-visible"),
             style: getComputedStyle(el).outlineStyle,
             width: parseFloat(getComputedStyle(el).outlineWidth),
           })"""
    )
    assert ring["keyboard"], "the browser treats the focus as keyboard focus"
    assert ring["style"] != "none" and ring["width"] >= 2, f"no focus ring: {ring}"
