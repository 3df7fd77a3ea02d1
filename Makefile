# supportbot — `make demo` and `make test` do all set-up themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install test soak demo run bench clean

install: $(STAMP)

# Reinstall when the dependency list changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

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
	$(BIN)/python bench/bench_report.py --json bench-results.json

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
