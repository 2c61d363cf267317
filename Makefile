# Two commands for a newcomer: `make run` and `make test`. Each sets itself up from nothing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint format messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --match --site-url http://$(HOST):$(PORT)/
	$(PY) manage.py runserver $(HOST):$(PORT)

# The production processes (gunicorn, a Celery worker, Celery beat) under supervisor, after
# migrations and collectstatic; needs DATABASE_URL, CELERY_BROKER_URL and DJANGO_SECRET_KEY.
# Ctrl-C stops them all. docs/operations.md.
serve: $(VENV)/.runtime-installed
	$(PY) deploy/serve.py --bind $(HOST):$(PORT)

test: lint
	$(PY) -m pytest

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.dev-installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Translations (docs/development.md): collect the marked strings into locale/<lang>/django.po
# (GNU gettext's xgettext and msgmerge), then compile the .mo files, which are committed so
# that run and test need no gettext tools. Translate the new entries in the .po files, then
# run it again.
MESSAGES_LANGUAGES := es de fr
messages: $(VENV)/.dev-installed
	$(PY) manage.py makemessages $(addprefix -l ,$(MESSAGES_LANGUAGES)) --no-obsolete \
		--add-location=file --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=bench \
		--ignore=deploy
	$(PY) manage.py compilemessages --ignore=.venv --ignore=staticfiles

# The benchmarks that need services share one PostgreSQL database (created if missing) and one
# Redis database, as broker and cache; both default to the local servers.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/drinktables_bench
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/7

bench: $(VENV)/.dev-installed
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/services.py
	@for script in bench/bench_*.py; do \
		echo "== $$script"; \
		DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
		CACHE_URL=$(BENCH_BROKER_URL) $(PY) $$script || exit 1; \
	done

clean:
	rm -rf $(VENV) db.sqlite3 var test-artifacts .pytest_cache .ruff_cache .hypothesis
