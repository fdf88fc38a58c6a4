"""`make bench-front` in brief (benchmarks/front.py): a few seconds of readers
and an editor through Varnish in front of two app servers, on the test
database, ending with the summary it prints and saves."""

import json
import os
import subprocess
import sys

import pytest
from django.db import connection

from tests.deploy.test_smoke import ROOT
from tests.deploy.test_varnish import XKEY
from tests.services import require

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (the servers share the test database)")


def test_a_short_run_sees_every_change_fresh_and_no_stale_page_after_its_purge(
    tmp_path,
):
    for program in ("varnishd", "varnishstat", "wrk", "redis-server"):
        require(program)
    if not XKEY.exists():
        pytest.skip(f"{XKEY} is missing (apt install varnish-modules)")
    db = connection.settings_dict
    env = {
        **os.environ,
        "BENCH_DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@"
        f"{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    summary_file = tmp_path / "front.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.front", "--seconds", "8"]
        + ["--articles", "100", "--connections", "4", "--json", summary_file],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = json.loads(summary_file.read_text())
    last_line = run.stdout.strip().splitlines()[-1]
    assert last_line.startswith("Front done in "), last_line
    assert summary["changes"] >= 3
    assert summary["never_fresh"] == 0
    assert summary["stale_after_confirmed"] == 0
    assert 0 < summary["p50_ms"] <= summary["p99_ms"] <= summary["max_ms"]
    assert 0 < summary["backend_fetches"] < summary["client_requests"]
    assert set(summary["by_kind"]) == {"edit", "publish", "unpublish"}
