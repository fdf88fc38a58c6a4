"""Tools the tests take from the npm registry, installed on first use.

Each package goes into its own git-ignored folder under the tests (the first
run downloads it, later runs find it there). A missing tool skips the test
with the way to install it, except in CI (CI=true), where .ci/run installs
npm and a missing tool fails the test instead.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

IN_CI = bool(os.environ.get("CI"))


def need(tool: str, install: str) -> None:
    """Skip (or, in CI, fail) the test: ``tool`` is not on this machine."""
    message = f"{tool} not found: {install}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def npm_package(spec: str, folder: Path) -> Path:
    """The folder of npm package ``spec`` (``name@range``), installed in ``folder``."""
    name = spec.rpartition("@")[0] or spec
    package = folder / "node_modules" / name
    if (package / "package.json").exists():
        return package
    npm = shutil.which("npm")
    if npm is None:
        need("npm", f"apt-get install npm (the tests install {name} with it)")
    subprocess.run(
        [npm, "install", "--prefix", str(folder), spec]
        + ["--no-audit", "--no-fund", "--loglevel=error"],
        check=True,
        timeout=300,
    )
    return package
