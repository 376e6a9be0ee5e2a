# Askdesk: `make run` serves the site, `make test` runs the tests.
# Both set up .venv on first use; nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
CATALOGS := $(wildcard forum/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test setup migrate translations extract-messages bench bench-inprocess bench-search clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,postgres,redis]'
	touch $(STAMP)

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

# Bytecode for our own modules too (pip compiles only what it installs): a process then
# starts without compiling 16,000 lines, also where PYTHONDONTWRITEBYTECODE is set.
setup: $(STAMP) $(COMPILED)
	$(BIN)/python -m compileall -q forum moderation >/dev/null

migrate: setup
	$(FLASK) db upgrade

run: migrate
	$(FLASK) askdesk demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

AXE := tests/browser/node_modules/axe-core/axe.min.js

# axe-core for the browser tests' accessibility checks; they skip when npm is absent.
$(AXE): tests/browser/package.json
	-cd tests/browser && npm ci --silent --no-audit --no-fund

# One pytest-xdist worker per core (tests/conftest.py gives each its own database).
PYTEST_ARGS ?= -n auto --dist loadgroup

test: setup $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

extract-messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs '.* __pycache__ node_modules' -o forum/translations/messages.pot .
	$(BIN)/pybabel update -i forum/translations/messages.pot -d forum/translations --no-fuzzy-matching

# The load benchmark under gunicorn and wrk (Debian package): SIZE=tiny|small|medium|large,
# DATABASE_URL to run it on PostgreSQL (an empty database: the site is generated into it).
bench: setup
	$(BIN)/pip install --quiet -e '.[prod]'
	$(BIN)/python bench/run.py --size $(SIZE) $(if $(DATABASE_URL),--database-url $(DATABASE_URL))

bench-inprocess: setup
	$(BIN)/python bench/inprocess.py

# SIZE=small|medium|large; BACKEND=whoosh|postgres|both (postgres needs DATABASE_URL, whose schema it drops)
SIZE ?= small
BACKEND ?= whoosh
bench-search: setup
	$(BIN)/python bench/search.py --size $(SIZE) --backend $(BACKEND) $(if $(DATABASE_URL),--database-url $(DATABASE_URL))

clean:
	rm -rf $(VENV) instance .pytest_cache
