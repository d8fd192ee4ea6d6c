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
PYTEST_ARGS ?= -n 2 --dist loadfile --durations=15
# Machines that cannot download providers keep them in a filesystem mirror: the targets
# that run Terraform find one unless EKSGUARD_PROVIDER_MIRROR is set (empty: the registry).
WITH_MIRROR := scripts/with-provider-mirror.sh

.PHONY: synth test unit integration bench soak dist clean venv _synth _test

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

# The CDKTF 0.21 path runs from its own venv, as a CDKTF user installs eksguard: cdktf and
# its AWS bindings, no cdktn (one process loads one framework; see _framework.py).
# tests/integration/test_cdktf_path.py synthesizes the reference and examples/cdktf-app in it.
CDKTF_VENV := .venv-cdktf
CDKTF_STAMP := $(CDKTF_VENV)/.eksguard-installed

.PHONY: venv-cdktf

$(CDKTF_STAMP): scripts/cdktf-requirements.txt pyproject.toml
	test -x $(CDKTF_VENV)/bin/python || $(PYTHON) -m venv $(CDKTF_VENV)
	$(CDKTF_VENV)/bin/python -m pip install -q --disable-pip-version-check -r scripts/cdktf-requirements.txt
	$(CDKTF_VENV)/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

venv-cdktf: $(CDKTF_STAMP) $(NODE22)

venv: $(STAMP) $(NODE22)

synth: venv
	$(MAKE) --no-print-directory _synth

_synth:
	$(PY) main.py

test: venv $(CHECKOV_VENV)/.installed venv-cdktf cli
	$(MAKE) --no-print-directory _test

_test:
	$(WITH_MIRROR) $(PY) -m pytest $(PYTEST_ARGS)

unit: venv
	$(WITH_MIRROR) $(PY) -m pytest tests/unit $(PYTEST_ARGS)

integration: venv $(CHECKOV_VENV)/.installed venv-cdktf cli
	$(WITH_MIRROR) $(PY) -m pytest tests/integration $(PYTEST_ARGS)

bench: venv
	$(WITH_MIRROR) $(PY) bench/harness_cycle.py

# 20 reference deploy / re-plan / destroy cycles on two workers: failures and lost answers.
soak: venv
	$(WITH_MIRROR) $(PY) bench/soak.py --cycles 20 --workers 2

# The sdist, then the wheel built from it (so the sdist alone must build), as the release
# workflow makes them; dist/ is emptied first so twine checks exactly these two.
dist: venv
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*

# The CDK CLIs, `cdktn` (CDK Terrain 0.24) and `cdktf` (CDKTF 0.21), exactly as
# tools/cli/package-lock.json pins them, into tools/cli/node_modules/.bin. cdktn-cli needs
# Node >= 22.19 on PATH (with Node 20 it crashes), so they run with the Node 22 above.
# --ignore-scripts: the one install script (cdktf's node-pty) only checks a prebuilt
# binary the package already ships; npm 11 skips it anyway, npm 10 would run it.
CLI_DIR := tools/cli
CLI_STAMP := $(CLI_DIR)/node_modules/.eksguard-installed
CLI_PATH := $(abspath $(NODE_DIR)/node_modules/node/bin):$(abspath $(CLI_DIR)/node_modules/.bin)

.PHONY: cli

$(CLI_STAMP): $(CLI_DIR)/package.json $(CLI_DIR)/package-lock.json | $(NODE22)
	cd $(CLI_DIR) && PATH="$(CLI_PATH):$$PATH" npm ci --ignore-scripts --no-audit --no-fund
	touch $@

cli: venv $(CLI_STAMP)
	@PATH="$(CLI_PATH):$$PATH" node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 19) ? 0 : 1)' \
	  || { echo "eksguard: cdktn needs Node >= 22.19: $(NODE22) is missing (make venv installs it from npm) and the node on PATH is older"; exit 1; }
	@echo 'eksguard: cdktn and cdktf in $(CLI_DIR)/node_modules/.bin; to run them: export PATH="$(CLI_PATH):$$PATH"'

clean:
	rm -rf cdktf.out dist build .pytest_cache
