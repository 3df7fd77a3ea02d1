# supportbot — `make demo` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

PIP    := $(BIN)/python -m pip --disable-pip-version-check
# The tool that writes the lock files; only `make lock` needs it.
UV_VERSION := 0.13.8
LOCK_FLAGS := --python-version 3.11 --python-platform linux --generate-hashes --quiet $(UPGRADE)

.PHONY: install lock test soak demo run bench clean

install: $(STAMP)

# Exact versions with hashes from the lock (requirements-dev.lock: runtime and
# tests), then the project itself without resolving anything; `pip check`
# fails the install when pyproject.toml asks for something the lock lacks.
# Reinstall when the dependency list or the lock changes.
$(STAMP): pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r requirements-dev.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	$(PIP) check
	touch $(STAMP)

# Regenerate the locks after changing dependencies in pyproject.toml: keeps
# every pin that still fits; `make lock UPGRADE=--upgrade` moves all to the
# newest. requirements.lock is the service's (Dockerfile); the dev lock adds the
# test tools on top of exactly the same runtime versions.
lock: $(STAMP)
	$(PIP) install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml requirements-build.in $(LOCK_FLAGS) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml requirements-build.in --extra test -c requirements.lock $(LOCK_FLAGS) -o requirements-dev.lock

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The crash-safety proof at length: 1,000 mails, kill -9 throughout (not part of `make test`).
soak: $(STAMP)
	SOAK=1 $(BIN)/python -m pytest -s tests/proofs/test_crash_safety.py $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/supportbot demo

run: $(STAMP)
	$(BIN)/supportbot run

# Benchmarks (not part of `make test`); figures land in bench-results.json.
bench: $(STAMP)
	$(BIN)/python bench/bench_hours.py --json bench-results.json
	$(BIN)/python bench/bench_sla.py --json bench-results.json
	$(BIN)/python bench/bench_ingest.py --json bench-results.json
	$(BIN)/python bench/bench_latency.py --json bench-results.json
	$(BIN)/python bench/bench_webhook_memory.py --json bench-results.json
	$(BIN)/python bench/bench_hostile.py --json bench-results.json
	$(BIN)/python bench/bench_directory.py --json bench-results.json
	$(BIN)/python bench/bench_similar.py --json bench-results.json
	$(BIN)/python bench/bench_memory_scale.py --json bench-results.json
	$(BIN)/python bench/bench_memory.py --json bench-results.json
	$(BIN)/python bench/bench_cli.py --json bench-results.json
	$(BIN)/python bench/bench_report.py --json bench-results.json
	$(BIN)/python bench/figures.py --results bench-results.json --readme README.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
