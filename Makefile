# Docket: `make run` starts everything on the embedded default (granian, DEBUG off); `make dev` the same with
# runserver and DEBUG on; `make test` runs the whole suite.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export PATH := $(HOME)/.local/bin:$(PATH)
PORT ?= 8000
MANAGE := uv run python manage.py

.PHONY: run dev static setup test test-fast lint bench bench-http migrate demo docs

setup:
	@scripts/ensure_tools.sh

migrate: setup
	@$(MANAGE) migrate --no-input -v 0

demo: migrate
	@$(MANAGE) seed_demo

# The hashed, compressed copies WhiteNoise serves under `make run` (config.settings.run), in var/static.
static: setup
	@DJANGO_SETTINGS_MODULE=config.settings.run $(MANAGE) collectstatic --no-input -v 0

run: demo static
	@scripts/run.sh $(PORT)

dev: demo
	@scripts/run.sh --dev $(PORT)

# On every core (pytest-xdist: each worker has its own test database and its own Chromium).
test:
	@scripts/ensure_tools.sh browser
	uv run pytest -q -p no:cacheprovider -n auto

# The gates CI runs first (.ci/run) and .pre-commit-config.yaml's hooks.
lint: setup
	uv run ruff check .
	uv run ruff format --check .
	uv run mypy

docs: setup
	$(MANAGE) workflow_diagram

# Intake speed through the API (bench/README.md, "Intake through the API"): its own database
# docket_bench_intake (recreated), granian with 3 workers and the production settings, wrk with 8 and 32
# clients and then one office at 32, 20 s each (about 2 minutes). Part of `make bench`, first: it needs
# none of the loaded history.
BENCH_INTAKE_ARGS ?=
.PHONY: bench-intake
bench: bench-intake
bench-intake: bench-services
	REDIS_URL=redis://127.0.0.1:6379/13 uv run python -m bench.intake $(BENCH_INTAKE_ARGS)

# Portal filing (issue 11, bench/README.md "Portal filing"): the owners' form with a photo and the tracking
# page at 8 clients, beside the API intake; its own database docket_bench_portal (recreated). Part of `make bench`,
# which also runs it on the loaded docket_bench (`--loaded`).
.PHONY: bench-portal
bench: bench-portal
bench-portal: bench-services
	REDIS_URL=redis://127.0.0.1:6379/13 uv run python -m bench.portal $(BENCH_PORTAL_ARGS)

# What the benchmarks need: uv and the packages, wrk (apt-get, scripts/ensure_tools.sh), PostgreSQL and Redis
# on 127.0.0.1 (started if they are not running).
.PHONY: bench-services
bench-services:
	@scripts/ensure_tools.sh wrk
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start
	@for _ in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

# The benchmark at scale (bench/README.md): PostgreSQL only, its own database docket_bench; loads
# BENCH_COMPLAINTS complaints with COPY, then measures the overdue sweep (and doubles the closed history),
# then the staff pages over HTTP (bench-http).
BENCH_COMPLAINTS ?= 1000000
BENCH_SWEEP_ARGS ?= --double-history
BENCH_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench DJANGO_SETTINGS_MODULE=config.settings.dev

bench: bench-services
	@psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'docket_bench'" \
		| grep -q 1 || createdb -h 127.0.0.1 -U postgres docket_bench
	$(BENCH_ENV) $(MANAGE) migrate --no-input -v 0
	$(BENCH_ENV) uv run python -m bench.generate --complaints $(BENCH_COMPLAINTS) --open-share 0.05 --reset
	$(BENCH_ENV) uv run python -m bench.sweep $(BENCH_SWEEP_ARGS)
	@$(MAKE) --no-print-directory bench-http
	# the portal on the loaded database too (issue 11): its offices added under fresh codes
	REDIS_URL=redis://127.0.0.1:6379/13 uv run python -m bench.portal --loaded --database docket_bench

# Triage quality and speed (bench/triage.py): category top-1/top-3 and department accuracy, same-issue
# precision/recall on the held-out split of docket/triage/eval/complaints.jsonl, and the suggestion's
# p50/p95 on a scratch SQLite database (no services needed; about a minute).
.PHONY: bench-triage
bench-triage: setup
	uv run python -m bench.triage $(BENCH_TRIAGE_ARGS)

# A short run of every benchmark (scripts/bench_smoke.sh: its databases are copies of one migrated template;
# generate 2 000 complaints into docket_bench_smoke, sweep, HTTP, intake; a few seconds per scenario, about
# three minutes), so none of them rots; CI's PostgreSQL pass runs it. Figures printed, no target asserted.
.PHONY: bench-smoke
bench-smoke: bench-services
	@scripts/bench_smoke.sh

# The staff pages over HTTP on the loaded docket_bench (bench/README.md): granian with 3 workers and the
# production settings, wrk on 127.0.0.1 with 1 and 8 clients: the work queue, the complaint list and the
# complaint page, 30 s per scenario after 5 s of warm-up (about 4 minutes).
BENCH_HTTP_ARGS ?=
bench-http: bench-services
	@psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'docket_bench'" \
		| grep -q 1 || { echo "no docket_bench database: run make bench first" >&2; exit 1; }
	$(BENCH_ENV) $(MANAGE) migrate --no-input -v 0
	$(BENCH_ENV) uv run python -m bench.http $(BENCH_HTTP_ARGS)
