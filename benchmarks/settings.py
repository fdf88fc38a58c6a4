"""The production settings (read from the environment as always), plus the
floor page `make bench` compares every page with."""

from careerhub.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
