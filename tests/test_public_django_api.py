"""Application code uses Django's public API: what a Django upgrade may change
without notice is read in one wrapper, tested on its own."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED = {"tests", "benchmarks", "migrations", "node_modules", "staticfiles"}
# Private Django names, each with the one module allowed to read it (if any).
PRIVATE = {
    # AdminSite's registry: httpguard/admin_site.py registers through the API.
    r"\._registry\b": None,
    # A cached property set through __dict__: plain assignment is documented.
    r"__dict__\[": None,
    # The connection's on_commit list: read in one wrapper only.
    r"\.run_on_commit\b": "taskqueue/transactions.py",
}


def app_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if not any(part.startswith(".") or part in SKIPPED for part in parts):
            yield path


@pytest.mark.parametrize("pattern", PRIVATE)
def test_application_code_reads_no_private_django_api(pattern):
    allowed = PRIVATE[pattern]
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in app_files()
        if path.relative_to(ROOT).as_posix() != allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(pattern, line)
    ]

    assert found == []
