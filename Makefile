# Docket: `make run` starts everything on the embedded default; `make test` runs the whole suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)
PORT ?= 8000
MANAGE := uv run python manage.py

.PHONY: run setup test test-fast lint bench migrate demo docs

setup:
	@scripts/ensure_tools.sh

migrate: setup
	@$(MANAGE) migrate --no-input -v 0

demo: migrate
	@$(MANAGE) seed_demo

run: demo
	@scripts/run.sh $(PORT)

test:
	@scripts/ensure_tools.sh browser
	uv run pytest -q -p no:cacheprovider

lint: setup
	uv run ruff check .
	uv run ruff format --check .

docs: setup
	$(MANAGE) workflow_diagram
