# wsgi.stack: development entry points. Everything runs from .venv, made here.
#   make test        lint + unit + collection build + every Molecule scenario (what CI runs)
#   make demo        demo host in Docker, site.yml deployed, URL and a real response printed
#   make demo-down   remove everything make demo made
#   make bench       requests/s and latency of the default stack, uWSGI alone and a classic
#                    Gunicorn setup, and the converge times (a benchmark, about 8 min)
#   make bench-deploy  deploy time to 1, 2 and 4 app servers (a benchmark, about 25 min)
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
CACHE := $(CURDIR)/.cache
COLLECTIONS := $(CACHE)/collections
SCENARIOS ?= service virtualenv_app uwsgi_emperor nginx default real_apps multinode
SCENARIO ?=
SUITES ?= bookworm trixie

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
# ansible-lint installs the collection it lints: keep that (and every other
# Ansible cache) inside the checkout, never in ~/.ansible.
export ANSIBLE_HOME := $(CACHE)/ansible-home
export ANSIBLE_FORCE_COLOR ?= true
export PY_COLORS ?= 1

.PHONY: venv help test lint unit collection images docker molecule demo demo-down bench bench-deploy clean

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

# The virtualenv with the pinned tools. Debian's python3 needs python3-venv
# for `-m venv`; install it when missing and we may.
$(BIN)/.installed: requirements-dev.txt
	@if ! $(PYTHON) -m venv --help >/dev/null 2>&1 || ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then \
	  if [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null; \
	  else echo "python3 -m venv is not available: install python3-venv" >&2; exit 1; fi; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

# The collection as Ansible finds it: ansible_collections/wsgi/stack -> here.
$(COLLECTIONS)/ansible_collections/wsgi/stack:
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

venv: $(BIN)/.installed $(COLLECTIONS)/ansible_collections/wsgi/stack

test: lint unit collection molecule

lint: venv
	yamllint --strict .
	ansible-lint --profile production
	ruff check plugins tests playbooks roles molecule
	ruff format --check plugins tests playbooks roles molecule
	mypy plugins tests/unit playbooks/files/hello_app roles/virtualenv_app/files molecule/conftest.py molecule/shared

unit: venv
	pytest -q tests/unit

# Build the tarball, install it into an empty collections path and read the
# role documentation from there: what a user of the published collection gets.
collection: venv
	scripts/check-collection.sh

docker:
	scripts/docker-ready.sh

images: venv docker
	scripts/test-images.sh --prepared $(SUITES)

molecule: venv images
	@set -e; for s in $(if $(SCENARIO),$(SCENARIO),$(SCENARIOS)); do \
	  echo "=== molecule test -s $$s"; start=$$(date +%s); \
	  rm -rf $(CACHE)/wheelhouse/$$s; \
	  molecule test -s $$s; \
	  echo "=== molecule $$s passed in $$(( $$(date +%s) - start ))s"; \
	done

demo: venv docker
	scripts/test-images.sh $${DEMO_SUITE:-bookworm}
	scripts/demo.sh up

demo-down:
	scripts/demo.sh down

bench: venv images
	scripts/bench.sh

bench-deploy: venv images
	scripts/bench-deploy.sh

clean:
	rm -rf $(VENV) $(CACHE) .pytest_cache .ruff_cache .mypy_cache *.tar.gz
