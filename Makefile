# Aminder: the verbs of the project. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Any Python from 3.11 to 3.13 found on the machine (Django 5.2 supports them; the image uses 3.11).
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' >/dev/null 2>&1 \
	&& { echo $$p; break; }; done)
STAMP := $(VENV)/.installed
# spid-sp-test pins libraries that clash with the app's: its own venv, from requirements-spid.txt.
SPID_VENV := .venv-spid
SPID_STAMP := $(SPID_VENV)/.installed
APT_PACKAGES := chromium chromium-driver libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b poppler-utils docker-compose xmlsec1 nginx curl openssl
# Locked dependencies with hashes: the image installs production.txt, `make` development.txt.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
# Parallel checkouts on one machine pick their own database and Redis db number.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/aminder
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The Kubernetes release the manifests are validated against (the oldest one a Region should run).
KUBERNETES_VERSION := 1.31.0
K8S_RESOURCES = $(shell grep -rL '^kind: Kustomization' deploy/kubernetes --include='*.yaml')
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) \
	REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
	DJANGO_SECRET_KEY=test-only DJANGO_DEBUG=false DJANGO_SECURE_SSL_REDIRECT=false \
	DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run test lint lock format worker beat sweep services system-packages bench drills backup-drill clean

$(STAMP): pyproject.toml requirements/development.txt
	@test -n "$(PYTHON)" || { echo "Serve Python 3.11, 3.12 o 3.13 (python3.1x nel PATH)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements/development.txt
	$(PY) -m pip install --quiet --no-deps -e .
	@$(PY) -m pip check >/dev/null || { $(PY) -m pip check; echo "Il lock non copre pyproject.toml: eseguire 'make lock'"; exit 1; }
	touch $(STAMP)

lock:  ## regenerate both lock files from pyproject.toml (PIP_COMPILE_ARGS=--upgrade to move pins)
	@test -n "$(PYTHON)" || { echo "Serve Python 3.11, 3.12 o 3.13"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	test -x $(VENV)/bin/pip-compile || $(PY) -m pip install --quiet 'pip-tools>=7.4,<8'
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) $(PIP_COMPILE_ARGS) -o requirements/production.txt pyproject.toml
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) $(PIP_COMPILE_ARGS) --extra dev -o requirements/development.txt pyproject.toml

$(SPID_STAMP): requirements-spid.txt
	test -d $(SPID_VENV) || $(PYTHON) -m venv $(SPID_VENV)
	$(SPID_VENV)/bin/python -m pip install --quiet -r requirements-spid.txt
	touch $(SPID_STAMP)

run: $(STAMP)  ## embedded default: SQLite, eager Celery, development sign-in
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP) $(SPID_STAMP) system-packages services  ## the whole suite against PostgreSQL and Redis
	$(TEST_ENV) SPID_SP_TEST=$(CURDIR)/$(SPID_VENV)/bin/spid_sp_test $(VENV)/bin/pytest --create-db $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/bandit -c pyproject.toml -r . --quiet
	$(PY) manage.py makemigrations --check --dry-run
	AMINDER_MODE=production DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		AMINDER_PUBLIC_URL=https://aminder.regione.example.it DJANGO_ALLOWED_HOSTS=aminder.regione.example.it \
		$(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/kubernetes-validate --strict --quiet --kubernetes-version $(KUBERNETES_VERSION) $(K8S_RESOURCES)

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every queue in one worker (development). Production runs one worker for `protocollo` alone and one
# for the rest, so numbering never waits behind a receipt or an upload (README "Code di Celery").
worker: $(STAMP)
	$(VENV)/bin/celery -A aminder worker --loglevel=INFO --concurrency=2 -Q protocollo,ricevute,caricamenti,celery

beat: $(STAMP)
	$(VENV)/bin/celery -A aminder beat --loglevel=INFO

sweep: $(STAMP)
	$(PY) manage.py protocollo_sweep

# `make bench` runs the fast variants (100,000 domande, 1,000,000 workers) in minutes; `make bench FULL=1`
# the full sizes (1,000,000 domande, 10,000,000 workers). Each benchmark ends with `RATIO … PASS|FAIL` lines.
BENCH_DOMANDE := $(if $(FULL),1000000,100000)
BENCH_LISTE_DB := postgres://postgres@127.0.0.1:5432/aminder_bench_lists

bench: $(STAMP) services  ## prints figures; not part of the test suite
	DJANGO_DEBUG=false DJANGO_STATIC_PRECOMPRESS=false $(PY) manage.py collectstatic --noinput -v0  # pages need the manifest
	DJANGO_DEBUG=false DATABASE_URL=$(BENCH_LISTE_DB) $(PY) bench/carica_liste.py --domande $(BENCH_DOMANDE) --lavoratori 10
	DJANGO_DEBUG=false DATABASE_URL=$(BENCH_LISTE_DB) $(PY) bench/liste.py
	DJANGO_DEBUG=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench $(PY) bench/consuntivi_upload.py --lines 10000 50000
	DJANGO_DEBUG=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/aminder_bench $(PY) bench/web.py --n 200
	$(PY) bench/presentazione.py --n 200 --seconds 10
	$(PY) bench/receipts.py --n 100

drills: $(STAMP)  ## fault drills on their own PostgreSQL and Redis (README "Prove di guasto"); QUICK=1 for the short ones
	$(PY) bench/drills.py $(if $(QUICK),--quick)

backup-drill: $(STAMP)  ## pg_dump DATABASE_URL, restore it into a new database, compare counts, check the register
	@test -n "$(DATABASE_URL)" || { echo "Indicare DATABASE_URL=postgres://… (il database da provare)"; exit 1; }
	$(PY) scripts/backup_drill.py --database-url "$(DATABASE_URL)"

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installo i pacchetti di sistema mancanti: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

services:
	@pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || \
		{ echo "PostgreSQL non risponde su 127.0.0.1:5432: avviarlo con 'pg_ctlcluster --skip-systemctl-redirect \$$(ls /etc/postgresql) main start'"; exit 1; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || \
		{ echo "Redis non risponde su 127.0.0.1:6379: avviarlo con 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save \"\" --appendonly no'"; exit 1; }
	@for i in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0; sleep 1; done; \
		echo "PostgreSQL o Redis non sono pronti dopo 30 secondi"; exit 1

clean:
	rm -rf $(VENV) $(SPID_VENV) var/aminder.sqlite3 var/static
