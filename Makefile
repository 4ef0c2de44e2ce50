# The two commands: `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
.DEFAULT_GOAL := run

PG_PORT ?= 55432
REDIS_PORT ?= 56379
export PG_PORT REDIS_PORT
export DATABASE_URL ?= postgres://mentorship@127.0.0.1:$(PG_PORT)/mentorship
export CELERY_BROKER_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0
export CACHE_URL ?= dbcache://django_cache
export DJANGO_DEBUG ?= true

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py

.PHONY: run test services stop setup migrate messages compilemessages seed lint bench browser clean screenshots

# The virtualenv is rebuilt only when the requirements change (the stamp is older). It has the
# tests' and tools' packages too (requirements-dev.txt); production installs requirements.txt.
$(VENV)/.installed: requirements.txt requirements-dev.txt build-constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade "pip>=25.3"
	# xstatic-bootstrap still builds with pkg_resources, which newer setuptools dropped.
	$(PY) -m pip install -q --disable-pip-version-check --build-constraint build-constraints.txt -r requirements-dev.txt
	touch $@

services:
	@scripts/services.sh start
	@echo "DATABASE_URL=$(DATABASE_URL)"
	@echo "CELERY_BROKER_URL=$(CELERY_BROKER_URL)"

stop:
	@scripts/services.sh stop

compilemessages: $(VENV)/.installed
	$(MANAGE) compilemessages -v 0 --ignore='.venv/*' --ignore='.local/*' --ignore='node_modules/*'

# Local settings for manage.py used by hand (the values these targets use anyway).
.env:
	@printf 'DJANGO_DEBUG=true\nDATABASE_URL=%s\nCELERY_BROKER_URL=%s\n' \
	  "$(DATABASE_URL)" "redis://127.0.0.1:$(REDIS_PORT)/0" > $@

setup: $(VENV)/.installed .env services compilemessages
	$(MANAGE) migrate --noinput -v 0

# Demo data goes in once; seed_demo is idempotent as well, so a lost stamp does no harm.
.local/.seeded: | setup
	$(MANAGE) seed_demo
	touch $@

run: export DJANGO_MFA_BYPASS_CODE = 000000
run: setup .local/.seeded
	@echo
	@echo "  Mentorship is starting on http://127.0.0.1:8000/"
	@echo "  Demo logins (password: demo-password-2026):"
	@echo "    coordinator  coordinator@example.org   (admin: http://127.0.0.1:8000/admin/)"
	@echo "    network      network-coordinator@example.org (leads the agencies' network program)"
	@echo "    one employer hr@example.org   (coordinates Härnösands kommun's people in it)"
	@echo "    superuser    admin@example.org"
	@echo "    (staff log in with a second factor; in this demo the code 000000 works)"
	@echo "    participant  adept@example.org"
	@echo "    line manager chef@example.org (supports adept@'s application: /line-manager/)"
	@echo "  Ctrl-C stops the app; 'make stop' stops PostgreSQL and Redis."
	@echo
	$(VENV)/bin/honcho -f Procfile start

# Debian's Chromium for the browser tests; Playwright never downloads a browser here. The
# second accessibility engine (HTML_CodeSniffer) comes from npm, pinned in package-lock.json.
browser: node_modules/.installed
	@command -v chromium >/dev/null || { \
	  s=""; [ "$$(id -u)" = 0 ] || s=sudo; \
	  $$s env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$s env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
	  s=""; [ "$$(id -u)" = 0 ] || s=sudo; \
	  $$s env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$s env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: export CELERY_BROKER_URL = redis://127.0.0.1:$(REDIS_PORT)/1
test: export CACHE_URL = locmemcache://
test: setup browser
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

# A screenshot of each step of the program year (e2e/test_journey.py) in docs/screenshots/.
screenshots: export CELERY_BROKER_URL = redis://127.0.0.1:$(REDIS_PORT)/1
screenshots: export CACHE_URL = locmemcache://
screenshots: setup browser
	rm -rf docs/screenshots
	SCREENSHOTS=docs/screenshots $(VENV)/bin/pytest -q e2e/test_journey.py
	@ls docs/screenshots

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

messages: $(VENV)/.installed
	$(VENV)/bin/python scripts/allauth_spelling.py module
	$(MANAGE) makemessages --no-obsolete --no-location -l sv -l en -l da --ignore='.venv/*' --ignore='.local/*' --ignore='node_modules/*'
	$(VENV)/bin/python scripts/english_catalogue.py locale
	$(VENV)/bin/python scripts/allauth_spelling.py fill
	$(MANAGE) compilemessages -v 0 --ignore='.venv/*' --ignore='.local/*' --ignore='node_modules/*'

seed: setup
	$(MANAGE) seed_demo

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b; done

clean: stop
	rm -rf .local $(VENV) node_modules
