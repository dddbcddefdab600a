# The portal's entry points. `make run` and `make test` work on a new machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench bench-quick install migrate seed lint format messages check worker beat clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## Install, migrate, load the demo data and serve at http://127.0.0.1:8000 (SQLite, in-process jobs)
run: $(STAMP)
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole suite. PostgreSQL/Redis/browser tests skip (and say so) unless their services are configured.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks against their floors and naive baselines (docs/benchmarks.md). Need DATABASE_URL (PostgreSQL)
## and REDIS_URL; the data goes to a database of its own, portal_bench. Full: 1,000,000 incidents.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

## The same on ~20,000 incidents in about a minute (CI: fails only if a query count regresses, never on a time).
bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate the zh-Hans catalogue (needs GNU gettext); the compiled .mo file is committed.
## Source strings are English, so English needs no catalogue. New strings get their translation
## in locale/translate_zh_hans.py, which lists what is missing and fails until nothing is.
messages: $(STAMP)
	DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles \
		--ignore=static/vendor --ignore=tests --ignore=bench --no-obsolete
	$(BIN)/python locale/translate_zh_hans.py
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

check: $(STAMP)
	SECRET_KEY=check-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz ALLOWED_HOSTS=portal.example \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

worker: $(STAMP)
	$(BIN)/celery -A portal worker -l info

beat: $(STAMP)
	$(BIN)/celery -A portal beat -l info

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
