# CareerHub developer commands. `make run` and `make test` are all you need.
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Exact versions of everything installed (see `make upgrade`).
CONSTRAINTS := constraints.txt

.PHONY: run test test-e2e lint format upgrade bench bench-beacon bench-budgets bench-dashboard bench-digest bench-front bench-import check-deploy clean python

# Django 6.1 needs Python 3.12+. Use python3.13/3.12 when on PATH, else python3
# (a .python-version file selects pyenv's 3.13 or 3.12 here) if it is new enough.
PYTHON_CANDIDATES := python3.13 python3.12 python3.14 python3
PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "CareerHub needs Python 3.12 or newer, and none was found on PATH." >&2; \
		echo "  Debian 13 / Ubuntu 24.04: sudo apt-get install python3 python3-venv" >&2; \
		echo "  Debian 12: install it with pyenv (pyenv install 3.13) or uv (uv python install 3.13)," >&2; \
		echo "  then run make again from this folder." >&2; \
		exit 1; \
	fi

$(STAMP): pyproject.toml $(CONSTRAINTS) | python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		echo "Could not create a virtual environment: install the venv module (sudo apt-get install python3-venv)." >&2; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) '.[dev]'
	@touch $(STAMP)

# Refresh constraints.txt: the newest versions pyproject.toml allows, installed
# into a fresh temporary virtualenv and frozen (no index URLs in the file), then
# .venv reinstalled from it and the suite run. Commit constraints.txt if green.
upgrade: | python
	@set -euo pipefail; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(PYTHON) -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install --quiet --upgrade pip; \
	"$$tmp/venv/bin/python" -m pip install --quiet '.[dev]'; \
	{ sed -n '/^#/p' $(CONSTRAINTS); "$$tmp/venv/bin/python" -m pip freeze --exclude careerhub; } > "$$tmp/constraints.txt"; \
	if grep -v '^#' "$$tmp/constraints.txt" | grep -q '://\| @ '; then \
		echo "pip freeze named a URL; constraints.txt left as it was:" >&2; grep '://\| @ ' "$$tmp/constraints.txt" >&2; exit 1; fi; \
	mv "$$tmp/constraints.txt" $(CONSTRAINTS)
	git diff --stat -- $(CONSTRAINTS) || true
	$(MAKE) test

run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py create_local_editor --port $(PORT)
	@echo "Starting the web server and a task worker (deploy/Procfile.dev); mail the"
	@echo "site sends is printed in this terminal. Ctrl-C stops both."
	PYTHONUNBUFFERED=1 PATH="$(CURDIR)/$(BIN):$$PATH" \
		$(BIN)/honcho -f deploy/Procfile.dev -d . start -p $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-e2e: $(STAMP)
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Reader pages under load (gunicorn + wrk), cached and uncached, against a bare
# Django view: ARTICLES=100000 for the big run, BENCH_DATABASE_URL for
# PostgreSQL (that database is emptied). See benchmarks/site.py. Then the
# readers' figures' beacon and the cached page with counting on and off, and
# last the editor's dashboard at DASHBOARD_ARTICLES (100,000) articles and two
# years of figures (it empties the bench database again to fill it).
bench: $(STAMP)
	$(BIN)/python -m benchmarks.site --articles $(or $(ARTICLES),1000)
	$(BIN)/python -m benchmarks.beacon
	$(BIN)/python -m benchmarks.dashboard --articles $(or $(DASHBOARD_ARTICLES),100000)

# The readers' figures: counted views/s, CPU per beacon, database writes, and
# the cached page's CPU with counting on and off. See benchmarks/beacon.py.
bench-beacon: $(STAMP)
	$(BIN)/python -m benchmarks.beacon $(if $(ARTICLES),--articles $(ARTICLES))

# Varnish in front of two app servers for DURATION seconds (600 by default), readers
# through it and an editor changing an article every few seconds: purge to
# fresh, stale pages after a confirmed purge, origin offload. PostgreSQL
# (BENCH_DATABASE_URL or DATABASE_URL; emptied first). See benchmarks/front.py.
bench-front: $(STAMP)
	$(BIN)/python -m benchmarks.front --seconds $(or $(DURATION),600)

# Time and memory budgets of the reader pages (pytest-benchmark).
bench-budgets: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-enable -p no:randomly

# The editor's dashboard (/admin/) at ARTICLES articles (100,000 by default)
# and two years of readers' figures, timed in process as a logged-in editor.
# BENCH_DATABASE_URL for PostgreSQL (that database is emptied); else SQLite
# in .bench/. See benchmarks/dashboard.py.
bench-dashboard: $(STAMP)
	$(BIN)/python -m benchmarks.dashboard --articles $(or $(ARTICLES),100000)

# One digest to N subscribers over SMTP to a local sink (PostgreSQL: DATABASE_URL).
# Subscribers spread over TOPIC_SETS distinct topic choices (one variant each).
# WORKERS=2: sent by real `db_worker` processes instead, with 1 and 2 workers,
# then 2 with one SIGKILLed mid-send (benchmarks/digest_workers.py).
SUBSCRIBERS ?= 10000 100000
TOPIC_SETS ?= 50
bench-digest: $(STAMP)
	@for n in $(SUBSCRIBERS); do $(BIN)/python -m benchmarks.digest --subscribers $$n --topic-sets $(TOPIC_SETS) $(if $(WORKERS),--workers $(WORKERS)) || exit 1; done

# A Mailchimp export of ROWS rows imported as an editor's import runs
# (PostgreSQL: DATABASE_URL; a scratch database is used). See benchmarks/imports.py.
ROWS ?= 100000
bench-import: $(STAMP)
	$(BIN)/python -m benchmarks.imports --rows $(ROWS)

check-deploy: $(STAMP)
	DEBUG=False SECRET_KEY=$$(head -c 48 /dev/urandom | base64) ALLOWED_HOSTS=careerhub.example \
	SITE_URL=https://careerhub.example EMAIL_URL=smtp://mail.example:587 \
	CACHE_URL=redis://cache.example:6379/0 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
