# Baton: `make demo` runs it on embedded defaults, `make test` runs the tests.
# Both set everything up themselves: a virtual environment, the package, and
# for tests a real redis-server and Debian's headless Chromium with its driver
# (installed with apt-get when missing).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: demo test lint bench clean test-deps

$(BIN)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The tests start their own redis-server on a free port, and drive the dashboard in chromium.
test-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing (the tests use real ones)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

demo: $(BIN)/.installed
	$(BIN)/baton demo

test: $(BIN)/.installed test-deps
	$(BIN)/python -m pytest

lint: $(BIN)/.installed
	$(BIN)/ruff check plugin tests $(wildcard bench)

bench: $(BIN)/.installed test-deps
	$(BIN)/python bench/webhook_ack.py
	$(BIN)/python bench/summary_speed.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info test-artifacts
