# Baton: `make demo` runs it on embedded defaults, `make test` runs the tests.
# Both set everything up themselves: a virtual environment, the package, and
# for tests a real redis-server (installed with apt-get when missing).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: demo test lint bench clean redis-server

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

redis-server:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server (tests use a real one)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server >/dev/null; }
	@# Debian starts a system service on install; the tests run their own on a free port.

demo: $(BIN)/.installed
	$(BIN)/baton demo

test: $(BIN)/.installed redis-server
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check plugin tests $(wildcard bench)

bench: $(BIN)/.installed redis-server
	$(BIN)/python bench/webhook_ack.py
	$(BIN)/python bench/summary_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info test-artifacts
