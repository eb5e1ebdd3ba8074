# The two commands: `make run` starts everything, `make test` passes the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

CHROMIUM ?= /usr/bin/chromium

.PHONY: run test drills drill-scaleout check-astria install lint format clean

run: $(STAMP)
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	@PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho -f Procfile.dev start \
		$$($(PY) manage.py prepare_run)

# The browser tests drive Debian's Chromium; it is installed here when missing.
test: $(STAMP) $(CHROMIUM)
	$(VENV)/bin/pytest

# Every fault drill at a size that fits in CI (python -m drills --help for more).
drills: $(STAMP)
	$(PY) -m drills all --people 2 --tunes 2 --prompts 1 --outage 45 --limit 420
	$(PY) -m drills.billing --people 3

# Two web servers and two worker clusters on one PostgreSQL (a throw-away database on
# 127.0.0.1:5432, or DRILL_DATABASE_URL's server), media in a bucket on moto's S3.
drill-scaleout: $(STAMP)
	$(PY) -m drills two-workers --people 3 --tunes 3 --prompts 2 --limit 300

# The live smoke test (manage.py astria_check --full) against the emulator as a process.
check-astria: $(STAMP)
	$(PY) -m drills.astria_check

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "No Chromium at $(CHROMIUM): the browser tests will be skipped (apt-get install chromium)"; \
	fi

install: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
