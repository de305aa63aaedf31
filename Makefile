# remote_support_billing: the commands a newcomer runs (see README.md).
#   make demo   install what is missing, create/update the demo database, serve http://localhost:8069
#   make test   install what is missing, build a fresh test database, run the whole suite (pytest)
#   make lint   pre-commit (ruff + pylint-odoo)
#   make bench  dunning benchmark against OCA account_credit_control
SHELL := /bin/bash
export VENV ?= $(CURDIR)/.venv
export RUN_DIR ?= $(CURDIR)/.run
export DEMO_DB ?= rsb_demo
export TEST_DB ?= rsb_test
export PORT ?= 8069

.PHONY: setup demo test lint bench clean

setup:
	@bash tools/setup.sh

demo: setup
	@bash tools/demo.sh

test: setup
	@bash tools/test.sh $(PYTEST_ARGS)

lint: setup
	@$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

bench: setup
	@bash tools/bench.sh $(BENCH_ARGS)

clean:
	rm -rf $(RUN_DIR)
