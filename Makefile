# EarlyHelp: `make run` for a demo on this machine, `make test` for the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
DEMO_FAMILIES ?= 120
DEMO_STAFF ?= 160
DEMO_SEED ?= 2026
# Two workers: the machines this runs on have two cores.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint format assets static migrate chromium pdf-libraries lock clean

# The outbox worker sends queued messages (to files under var/mail by default) beside
# the web server, and stops with it.
run: $(VENV)/.installed build/.built static pdf-libraries
	$(MANAGE) prepare_demo --families $(DEMO_FAMILIES) --staff $(DEMO_STAFF) --seed $(DEMO_SEED)
	$(MANAGE) process_outbox --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEMO_MODE=1 TWO_FACTOR_REQUIRED=0 $(MANAGE) runserver --noreload --skip-checks 127.0.0.1:8000

test: $(VENV)/.installed build/.built chromium pdf-libraries lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix src tests benchmarks
	$(VENV)/bin/ruff format src tests benchmarks

# Python packages, exactly as locked.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv>=0.5,<1"
	$(UV) pip sync --quiet --python $(PY) requirements.lock
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	touch $@

# Re-lock after changing pyproject.toml's dependencies.
lock: $(VENV)/.installed
	$(UV) pip compile --quiet pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# Front-end packages from package-lock.json, compiled into build/static.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/.built: node_modules/.installed scripts/build-assets.mjs $(shell find src/earlyhelp/core/frontend -type f)
	npm run --silent build
	touch $@

assets: build/.built

static: var/.static

var/.static: build/.built $(VENV)/.installed $(shell find src/earlyhelp -path '*/static/*' -type f)
	$(MANAGE) collectstatic --noinput --verbosity 0
	touch $@

migrate: $(VENV)/.installed
	$(MANAGE) migrate --verbosity 0

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' for the browser tests"; \
	  fi; \
	fi

# Pango for WeasyPrint's PDF reports (Debian's packages; Chromium brings them too).
pdf-libraries:
	@if ! /sbin/ldconfig -p | grep -q libpangoft2-1.0; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else \
	    echo "Pango is missing: run 'sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0' for PDF reports"; \
	  fi; \
	fi

clean:
	rm -rf build var/static var/.static node_modules/.installed

# Redis workers for background work (REDIS_URL and JOBS_BACKEND=rq in the environment):
# one worker and the timetable (outbox sweep, daily scheduled reports), stopped together.
.PHONY: worker
worker: $(VENV)/.installed
	$(MANAGE) run_job_timetable & timetable=$$!; \
	trap 'kill $$timetable 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) rqworker default --with-scheduler
