# remote_support_billing: the commands a newcomer runs (see README.md).
#   make demo   install what is missing, create/update the demo database, serve http://localhost:8069
#   make test   install what is missing, build a fresh test database, run the whole suite (pytest)
#   make test-shop  the money, settle-up, dunning and portal tests on the "shop" install profile
#                   (chart of accounts with a sales tax, sale_timesheet, account_credit_control)
#   make lint   pre-commit (ruff + pylint-odoo)
#   make bench  dunning benchmark against OCA account_credit_control (BENCH_ARGS=--shop: shop profile)
#   make dist          build the wheel odoo-addon-remote_support_billing into dist/
#   make peer-test     run the tests of the Odoo/OCA modules the addon extends, without and with it
#   make wheel-test    install that wheel into a fresh virtualenv and database
#   make upgrade-test  install the previous release, add data, update to this checkout, check
#   make pot           export i18n/remote_support_billing.pot and merge it into i18n/*.po
#   make readme        generate remote_support_billing/README.rst from readme/ (OCA format)
SHELL := /bin/bash
export VENV ?= $(CURDIR)/.venv
export RUN_DIR ?= $(CURDIR)/.run
export DEMO_DB ?= rsb_demo
export TEST_DB ?= rsb_test
export PORT ?= 8069

.PHONY: setup demo test test-shop peer-test lint bench clean dist wheel-test upgrade-test ship-test pot readme

setup:
	@bash tools/setup.sh

demo: setup
	@bash tools/demo.sh

test: setup
	@bash tools/test.sh $(PYTEST_ARGS)

# a second template database (tools/lib.sh SHOP_MODULES), a subset of the suite (tools/test_shop.sh)
test-shop: setup
	@bash tools/test_shop.sh $(PYTEST_ARGS)

# the tests of helpdesk_mgmt, helpdesk_mgmt_timesheet, hr_timesheet, account_payment, payment and
# part of account, on a database without the addon and one with it (tools/peer_test.sh)
peer-test: setup
	@bash tools/peer_test.sh $(PEER_ARGS)

lint: setup
	@$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

bench: setup
	@bash tools/bench.sh $(BENCH_ARGS)

dist: setup
	@bash tools/dist.sh

wheel-test: setup
	@bash tools/wheel_test.sh

upgrade-test: setup
	@bash tools/upgrade_test.sh

# what CI runs after `make test`: the wheel and the upgrade from the previous release
ship-test: wheel-test upgrade-test

pot: setup
	@bash tools/pot.sh

readme: setup
	@bash tools/readme.sh

clean:
	rm -rf $(RUN_DIR) dist
