# Odkrywka — everyday commands. `make run` serves the demo; `make test` runs every test.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
# PostgreSQL server used for the second test run (a database is created per run).
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
# Test processes (pytest-xdist); "auto" uses every core.
PYTEST_WORKERS ?= auto

# What WeasyPrint needs from the system (the consultation report's PDF), and
# poppler-utils for the tests that read the PDF back.
SYSTEM_PACKAGES ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils

.PHONY: run test system-packages test-fast install install-dev translations compile-translations lint test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed compile-translations
install-dev: $(VENV)/.installed-dev compile-translations

# The compiled .mo files are committed too, so the app speaks both languages
# without a build step; tests/test_translations.py checks they are up to date.
compile-translations: | $(BIN)/python
	$(BIN)/pybabel compile -d app/translations --statistics

# Extract the Polish source strings, merge them into the pl and en catalogues,
# copy each Polish msgid into its pl msgstr (plural forms are written by hand),
# then compile. Translate the new en entries and run `make compile-translations`.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 -k _ln:1,2 -o app/translations/messages.pot --no-location --sort-output --omit-header .
	for lang in pl en; do test -f app/translations/$$lang/LC_MESSAGES/messages.po || $(BIN)/pybabel init -i app/translations/messages.pot -d app/translations -l $$lang; done
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python app/translations/fill_polish.py
	$(MAKE) compile-translations

# Installs the missing system packages with apt-get when run as root on
# Debian; otherwise says which to install (the report's PDF needs them).
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done | xargs); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
	  echo "Missing system packages (the report's PDF needs them): sudo apt-get install $$missing"; \
	fi

run: system-packages install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo ""
	@echo "Odkrywka: http://$(HOST):$(PORT)"
	@echo "Staff sign-in: create an account first, e.g."
	@echo "  $(FLASK) users create you@example.org --role admin --name 'Your Name'"
	@echo "then sign in at http://$(HOST):$(PORT)/staff/login"
	@echo ""
	FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT) $(FLASK) run

lint: install-dev
	$(BIN)/ruff check app tests config.py wsgi.py bench
	$(BIN)/bandit -q -c pyproject.toml -r app config.py wsgi.py

test-sqlite: install-dev
	$(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The browser tests (marked `browser`: what a reader sees and does in Chromium,
# axe-core included) run once, in the SQLite run; what the database does under
# those pages is tested on both databases by the other tests.
test-postgres: install-dev
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

# The two databases' runs go side by side (each with its own databases, ports,
# browsers and Redis key prefixes): together they keep both cores busy, where one
# after the other left a core idle while tests waited on servers and browsers.
# Each run's output is printed whole when it ends.
test: system-packages lint
	$(MAKE) -j2 --output-sync=target test-sqlite test-postgres

# The edit-test loop: SQLite only, without the slow, browser and server tests.
test-fast: install-dev
	$(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) -m "not slow and not browser and not network" $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
