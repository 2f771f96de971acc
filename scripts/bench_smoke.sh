#!/usr/bin/env bash
# `make bench-smoke`: every benchmark of bench/ run briefly, so that none of them rots between the real runs
# (bench/README.md). Its own databases on the local PostgreSQL: docket_bench_smoke (created if missing,
# migrated, reloaded with --reset) and docket_bench_smoke_intake (recreated by bench.intake); never
# docket_bench. Figures are printed, no target is asserted; a benchmark that fails (an error answer, an
# incomplete complaint, a broken check) fails the smoke. About two and a half minutes on two cores.
# Expects PostgreSQL, Redis and wrk (`make bench-services`).
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

complaints="${BENCH_SMOKE_COMPLAINTS:-2000}"
db=docket_bench_smoke
pg=postgres://postgres@127.0.0.1:5432
export DATABASE_URL="$pg/$db" DJANGO_SETTINGS_MODULE=config.settings.dev

start=$SECONDS
summary=()
step() {
  local name="$1"
  shift
  local t0=$SECONDS
  echo
  echo "== bench smoke: $name"
  "$@"
  summary+=("$(printf '  %-44s %4d s' "$name" $((SECONDS - t0)))")
}

if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  createdb -h 127.0.0.1 -U postgres "$db"
fi
step "migrate $db" uv run python manage.py migrate --no-input -v 0
step "bench.generate ($complaints complaints)" \
  uv run python -m bench.generate --complaints "$complaints" --open-share 0.05 --reset
step "bench.sweep (history doubled)" \
  uv run python -m bench.sweep --selection-seconds 2 --selection-runs 100 --double-history
step "bench.scope_list (staff list: exact vs capped count)" \
  uv run python -m bench.scope_list --runs 1
step "bench.http (work queue, list, complaint page)" \
  uv run python -m bench.http --duration 1 --warmup 1
step "bench.analysis (statistics pages: summary vs GROUP BY)" uv run python -m bench.analysis --quick --runs 1 --raw-runs 1 --export-rows 1000
unset DATABASE_URL
step "bench.triage (quality, and speed on scratch SQLite)" uv run python -m bench.triage --quick
step "bench.intake (8 and 32 clients, one office)" \
  env REDIS_URL=redis://127.0.0.1:6379/13 uv run python -m bench.intake --database "${db}_intake" \
  --duration 2 --warmup 1
step "bench.portal (portal filing and tracking beside the API, 8 clients)" \
  env REDIS_URL=redis://127.0.0.1:6379/13 uv run python -m bench.portal --database "${db}_portal" \
  --duration 2 --warmup 1 --offices 1

echo
echo "== bench smoke: every benchmark ran (figures above; no target asserted)"
printf '%s\n' "${summary[@]}"
echo "  total: $((SECONDS - start)) s"
