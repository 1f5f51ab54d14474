# Two commands for a fresh machine with Python 3.11+ and make:
#   make run   - create .venv, install, run the bundled message-processing flow on an embedded AWS (moto)
#   make test  - create .venv, install, run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve test browser bench bench-serve bench-map bench-soak typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/asl run definitions/message_processing.asl.json \
		--input-file definitions/examples/post_request.json \
		--local-aws --handler-module definitions.workers --skip-waits

# The local Step Functions service on 127.0.0.1:8083, offline: the bundled
# flows registered, their Tasks on an embedded AWS (moto), POST /messages routed.
serve: $(STAMP)
	$(BIN)/asl serve --register definitions --local-aws --handler-module definitions.workers --skip-waits --db .asl/state.db

test: $(STAMP) browser
	$(BIN)/python -m pytest
	$(BIN)/python -m mypy

# Debian's Chromium for the console's browser test, where this machine can
# install it (root and apt-get); elsewhere that one test is skipped with a reason.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		{ DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 || \
		  { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; }; }; } || \
		echo "make: Chromium could not be installed; the browser test will be skipped"

# Engine ratios against a plain-Python baseline, then asl against its peers
# (local-workflow-engine and moto, installed into .bench-venv on first use).
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/peers.py

# The HTTP service (asl serve) under boto3 load; compares with moto's server
# when moto[server] is installed (pip install 'moto[server]'), else says so.
bench-serve: $(STAMP)
	$(BIN)/python benchmarks/serve.py

# A distributed Map over 10k, 100k and 1M JSON Lines items: items/s and peak RSS.
bench-map: $(STAMP)
	$(BIN)/python benchmarks/map_items.py

# asl serve for N minutes (MINUTES=1) under a steady boto3 mix: requests/s, p50/p99, errors, RSS growth.
MINUTES ?= 1
bench-soak: $(STAMP)
	$(BIN)/python benchmarks/soak.py --minutes $(MINUTES)

typecheck: $(STAMP)
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) build *.egg-info
