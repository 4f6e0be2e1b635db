# orchest-lab developer entry points. Every target installs what it needs, idempotently:
# stamps under .make/ record what was done and are redone when their inputs change.
#   make lab    set everything up and open JupyterLab on the example project
#   make test   set everything up and run every test (lint, Python, TypeScript, browser)
#   make bench  run the benchmarks in bench/

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
JLPM := $(BIN)/jlpm
STAMPS := .make
LAB_PORT ?= 8888
EXAMPLE := examples/quickstart
LAB_DIR := .lab
PYTEST_ARGS ?=
UI_TEST_ARGS ?=

FRONTEND_SOURCES := $(shell find src style schema -type f 2>/dev/null) package.json tsconfig.json
# Python packages the build needs inside the venv (we install with --no-build-isolation).
BUILD_REQUIREMENTS := "jupyterlab>=4.4,<5" "jupyter-builder>=1.2,<2" hatchling \
	"hatch-jupyter-builder>=0.5" "hatch-nodejs-version>=0.3.2" editables

export PATH := $(abspath $(BIN)):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# The extension is built by `make`, not by pip's build hook.
export HATCH_JUPYTER_BUILDER_SKIP_NPM := 1
comma := ,

.PHONY: help install lab test lint format test-python test-js test-ui screenshots bench chromium clean

help:
	@echo "make lab          open JupyterLab on $(EXAMPLE) (port $(LAB_PORT))"
	@echo "make test         lint + Python + TypeScript + browser tests"
	@echo "make test-python, make test-js, make test-ui   one part of make test"
	@echo "make screenshots  rewrite docs/screenshots/ with the browser (UPDATE_SCREENSHOTS=1)"
	@echo "make bench        run the benchmarks in bench/"
	@echo "make lint         ruff, mypy, eslint, prettier"
	@echo "make format       apply ruff format and prettier"

$(STAMPS):
	mkdir -p $(STAMPS)

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -U pip

$(STAMPS)/build-deps: $(PY) | $(STAMPS)
	$(PY) -m pip install -q $(BUILD_REQUIREMENTS)
	touch $@

$(STAMPS)/node-modules: package.json yarn.lock .yarnrc.yml $(STAMPS)/build-deps
	$(JLPM) install --immutable
	touch $@

$(STAMPS)/frontend: $(FRONTEND_SOURCES) $(STAMPS)/node-modules
	$(JLPM) build
	touch $@

# Installs the package in development mode with the extras given: pip would write install.json
# through the symlink that `labextension develop` leaves, so that link goes first and comes back.
define install_editable
	rm -rf $(VENV)/share/jupyter/labextensions/orchest-lab orchest_lab/labextension/install.json
	$(PY) -m pip install -q --no-build-isolation -e ".[$(1)]"
	rm -rf $(VENV)/share/jupyter/labextensions/orchest-lab
	$(BIN)/jupyter labextension develop . --overwrite > /dev/null
endef

$(STAMPS)/python: pyproject.toml $(STAMPS)/build-deps $(STAMPS)/frontend
	$(call install_editable,test)
	touch $@

install: $(STAMPS)/python

# JupyterLab works on a copy of the example (made once, kept between runs), so that running
# pipelines never dirties the repository.
lab: install
	@[ -d $(LAB_DIR)/quickstart ] || { mkdir -p $(LAB_DIR) && cp -r $(EXAMPLE) $(LAB_DIR)/; }
	cd $(LAB_DIR) && $(abspath $(BIN))/jupyter lab --allow-root --ServerApp.port=$(LAB_PORT) \
		--ServerApp.root_dir=. --LabApp.default_url=/lab/tree/quickstart/quickstart.orchest

# --- tests -----------------------------------------------------------------------------------

lint: install
	$(BIN)/ruff check orchest_lab tests bench
	$(BIN)/ruff format --check orchest_lab tests bench
	$(BIN)/mypy
	$(JLPM) eslint:check
	$(JLPM) prettier:check

format: install
	$(BIN)/ruff format orchest_lab tests bench
	$(BIN)/ruff check --fix orchest_lab tests bench
	$(JLPM) prettier

test-python: install $(STAMPS)/elyra
	$(PY) -m pytest $(PYTEST_ARGS)

test-js: install
	$(JLPM) test

chromium:
	@command -v chromium > /dev/null || { \
		echo "Installing Debian's Chromium for the browser tests"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

$(STAMPS)/ui-tests: ui-tests/package.json ui-tests/yarn.lock $(STAMPS)/build-deps
	cd ui-tests && $(abspath $(JLPM)) install --immutable
	touch $@

test-ui: install chromium $(STAMPS)/ui-tests
	cd ui-tests && CI=1 $(abspath $(JLPM)) playwright test $(UI_TEST_ARGS)

# The only target that writes into the repository: the documentation's images.
screenshots: install chromium $(STAMPS)/ui-tests
	cd ui-tests && CI=1 UPDATE_SCREENSHOTS=1 $(abspath $(JLPM)) playwright test tests/screenshots.spec.ts

test: lint test-python test-js test-ui

$(STAMPS)/bench: pyproject.toml $(STAMPS)/python
	$(call install_editable,test$(comma)bench)
	touch $@

# Elyra, for the benchmarks' side-by-side figures and the test that exports run in it, in a venv
# of its own: it would downgrade packages of ours (kubernetes, IPython). Its versions are locked
# in requirements-elyra.txt; compiled on install, so that its first run is not spent writing
# bytecode.
ELYRA_VENV := .venv-elyra
$(STAMPS)/elyra: requirements-elyra.txt $(STAMPS)/python
	rm -rf $(ELYRA_VENV)
	$(BIN)/uv venv -q --python $(PY) $(ELYRA_VENV)
	$(BIN)/uv pip sync -q --compile-bytecode --python $(ELYRA_VENV)/bin/python requirements-elyra.txt
	touch $@

bench: install $(STAMPS)/bench $(STAMPS)/elyra
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(STAMPS) lib orchest_lab/labextension tsconfig.tsbuildinfo $(ELYRA_VENV)
	@echo "(your copy of the example in $(LAB_DIR)/ is kept)"
