# Two commands set everything up: `make synth` and `make test`.
# Both build .venv from the pinned requirements.txt when it is missing or stale.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.eksguard-installed
# jsii warns that Node 20 is end of life; a Node 22 from the npm registry is used when npm
# can install it, the node on PATH otherwise.
NODE_DIR := .tools/node
NODE22 := $(NODE_DIR)/node_modules/node/bin/node
export JSII_NODE ?= $(if $(wildcard $(NODE22)),$(abspath $(NODE22)),node)
# checkov lives in its own venv: its pins clash with moto's.
CHECKOV_VENV := .venv-checkov
export EKSGUARD_CHECKOV ?= $(abspath $(CHECKOV_VENV)/bin/checkov)

# Test files run on two workers (pytest-xdist); each worker embeds its own moto.
PYTEST_ARGS ?= -n 2 --dist loadfile
# Machines that cannot download providers keep them in a filesystem mirror: the targets
# that run Terraform find one unless EKSGUARD_PROVIDER_MIRROR is set (empty: the registry).
WITH_MIRROR := scripts/with-provider-mirror.sh

.PHONY: synth test unit integration bench dist clean venv _synth _test

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(NODE22):
	npm install --silent --no-save --prefix $(NODE_DIR) node@22 || echo "Node 22 not installed; jsii uses the node on PATH"

$(CHECKOV_VENV)/.installed: scripts/checkov-requirements.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q --disable-pip-version-check -r scripts/checkov-requirements.txt
	touch $@

venv: $(STAMP) $(NODE22)

synth: venv
	$(MAKE) --no-print-directory _synth

_synth:
	$(PY) main.py

test: venv $(CHECKOV_VENV)/.installed
	$(MAKE) --no-print-directory _test

_test:
	$(WITH_MIRROR) $(PY) -m pytest $(PYTEST_ARGS)

unit: venv
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

integration: venv $(CHECKOV_VENV)/.installed
	$(WITH_MIRROR) $(PY) -m pytest tests/integration $(PYTEST_ARGS)

bench: venv
	$(WITH_MIRROR) $(PY) bench/harness_cycle.py

dist: venv
	$(PY) -m pip wheel --no-deps -w dist .

clean:
	rm -rf cdktf.out dist build .pytest_cache
