# Huiyin: `make run` serves the demo, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
PYTEST_WORKERS ?= 2

.PHONY: install run serve test lint depgraph check-migrations demo clean web web-test browser speech

NPM := npm --prefix web --no-audit --no-fund --loglevel=error

$(UV):
	python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.installed

web/node_modules/.installed: web/package.json web/package-lock.json
	$(NPM) ci
	@touch $@

# The web app: linted (eslint, web/eslint.config.js), API types generated from the server's OpenAPI document,
# type-checked (vue-tsc), built to web/dist.
web: install web/node_modules/.installed
	$(NPM) run lint --silent
	$(NPM) run build --silent

# Vitest; the tests import src/api/generated/, which the build writes.
web-test: web
	$(NPM) test --silent

# Browser tests drive Debian's Chromium; install it (and CJK fonts for screenshots) when root can.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "!! /usr/bin/chromium missing: apt-get install -y chromium fonts-noto-cjk (browser tests will be skipped)"; fi; \
	fi

run: install web
	$(BIN)/huiyin db upgrade
	$(BIN)/huiyin demo --if-empty
	@echo
	@echo "  Huiyin 回音 is starting on http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	@echo "  Demo logins, password 'demo' for all:"
	@echo "    agent         客服代表        dispatcher     调度"
	@echo "    unit_handler  处理单位        duty_manager   当值经理"
	@echo "    floor_manager 现场管理        supervisor     业务主管"
	@echo "    director      客户服务中心领导  qa_inspector   质检员"
	@echo "    admin         系统管理员"
	@echo "  Demo phone system (docs/cti.md): POST call events to http://$(HOST):$(PORT)/api/v1/cti/demo-pbx-token"
	@echo
	$(BIN)/huiyin serve --host $(HOST) --port $(PORT)

# lint-imports: the import contract in pyproject.toml (domains point one way, docs/architecture.md).
lint: install
	$(BIN)/ruff check huiyin tests bench tools
	$(BIN)/mypy huiyin
	$(BIN)/lint-imports --no-cache

# The domains' import graph (docs/architecture.md → "Domains point one way").
depgraph: install
	@$(BIN)/python -m tools.depgraph

check-migrations: install
	@tmp=$$(mktemp -d) && HUIYIN_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/huiyin db upgrade >/dev/null \
	  && HUIYIN_DATABASE_URL=sqlite:///$$tmp/check.db $(BIN)/alembic check && rm -rf $$tmp

# The browser tests run on their own: Playwright's sync API keeps an event loop running in its worker,
# which would break the tests that call asyncio.run() if they shared one.
test: install lint check-migrations web web-test browser speech
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q --ignore=tests/browser
	$(BIN)/pytest -n $(PYTEST_WORKERS) -q tests/browser

# The speech fixtures of quality inspection (issue 17) synthesise Mandarin with espeak-ng (tests only).
speech:
	@if ! command -v espeak-ng >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng >/dev/null; \
	  else echo "!! espeak-ng missing: apt-get install -y espeak-ng (the speech tests will be skipped)"; fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis web/node_modules web/dist screenshots
