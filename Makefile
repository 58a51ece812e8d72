# The two commands of the README: `make run` (demo on http://127.0.0.1:8000/) and `make test` (every check CI runs).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
# pip warns about every extra index location that does not exist on this machine; that is noise, not a problem.
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
QUIET_PIP := 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)

.PHONY: help run test services messages translations backup restore code bench

help:
	@echo "make run   - set up everything and start the portal on http://127.0.0.1:$(PORT)/"
	@echo "make test  - lint, migration check, deploy check and the whole test suite"
	@echo "make code  - the demo staff accounts' current admin sign-in codes"
	@echo "make bench - the performance benchmark (not part of make test); writes docs/benchmarks.md"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when a requirements file changed.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt $(QUIET_PIP)
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP_INSTALL) -r requirements-dev.txt $(QUIET_PIP)
	touch $@ $(VENV)/.runtime

services:
	@$(PY) scripts/services.py check

messages:
	@$(PY) manage.py compilemessages --ignore=$(VENV) --ignore=node_modules -v 0

# After changing user-facing strings: refresh the catalogues, then fill in the new Dutch msgstr entries.
translations: $(VENV)/.dev
	$(PY) manage.py makemessages -l nl --no-obsolete --ignore=$(VENV) --ignore=node_modules --ignore=var --ignore=artifacts

# The performance benchmark: the portal as in production under a real load generator, and the data-scale checks; each
# figure against a baseline of the same run. Not part of `make test`. Rewrites the results block of docs/benchmarks.md.
bench: $(VENV)/.dev
	@$(PY) scripts/services.py check
	$(PY) bench/run.py --write-docs

# The demo staff accounts' current sign-in codes (the admin's second step), as their authenticator app would show.
code: export DJANGO_SETTINGS_MODULE = isimedia.settings.dev
code: $(VENV)/.runtime
	@$(PY) manage.py demo_code

run: export DJANGO_SETTINGS_MODULE = isimedia.settings.dev
run: $(VENV)/.runtime
	@$(PY) scripts/services.py createdb
	$(PY) manage.py migrate --noinput
	@$(MAKE) --no-print-directory messages
	$(PY) manage.py setup_periodic_tasks
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py make_demo_certificate
	$(PY) manage.py seed_demo
	@echo
	@echo "ISI Media portal:  http://127.0.0.1:$(PORT)/"
	@echo "Admin:             http://127.0.0.1:$(PORT)/$$($(PY) manage.py shell --no-imports -c 'from django.conf import settings; print(settings.ADMIN_URL)')"
	@echo "Admin sign-in code: make code   (in another terminal; the demo staff accounts' second step)"
	@echo "Client account:    http://127.0.0.1:$(PORT)/account/"
	@echo "Health:            http://127.0.0.1:$(PORT)/healthz"
	@echo "Stop with Ctrl-C."
	@echo
	exec $(VENV)/bin/honcho start -f Procfile

test: $(VENV)/.dev
	@$(PY) scripts/services.py check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DJANGO_SETTINGS_MODULE=isimedia.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=isimedia.settings.production DJANGO_SECRET_KEY=throwaway-$$RANDOM-$$RANDOM-only-for-the-deploy-check-xxxxxxxxxxxxxxxx \
		DJANGO_ALLOWED_HOSTS=portal.example.nl SITE_URL=https://portal.example.nl EMAIL_URL=smtp+tls://relay.example.nl:587 \
		SATISFACTION_CAPTCHA_HMAC_KEY=throwaway-$$RANDOM \
		PRIVACY_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
		$(PY) manage.py check --deploy --fail-level WARNING
	@$(MAKE) --no-print-directory messages
	$(PY) -m pytest

# See "Backups" in the README. `make backup [BACKUP_ROOT=dir]` (default var/backups);
# `make restore BACKUP=var/backups/isimedia-<time> [FORCE=1]` into DATABASE_URL and DJANGO_MEDIA_ROOT.
backup:
	scripts/backup.sh $(BACKUP_ROOT)

restore:
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=var/backups/isimedia-<time> [FORCE=1]" >&2; exit 2; }
	scripts/restore.sh $(if $(FORCE),--force) "$(BACKUP)"
