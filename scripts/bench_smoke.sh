#!/usr/bin/env bash
# `make bench-smoke`: every benchmark of bench/ run briefly, so that none of them rots between the real runs
# (bench/README.md). Its own databases on the local PostgreSQL, all copies of one migrated, empty template
# (docket_bench_smoke_template, bench/template.py): docket_bench_smoke (loaded with --reset),
# docket_bench_smoke_intake and docket_bench_smoke_portal (recreated by bench.intake and bench.portal); never
# docket_bench. Figures are printed, no target is asserted; a benchmark that fails (an error answer, an
# incomplete complaint, a broken check) fails the smoke. About three minutes on two cores.
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

# bench.triage needs neither PostgreSQL nor a server (scratch SQLite, one process): it runs on the second core
# beside the single-process steps up to bench.scope_list, its output kept and printed where it is joined,
# before bench.http starts its server. Its figures, and theirs, are taken with the other core busy (no
# target is asserted); a failure of it still fails the smoke.
triage_log="$(mktemp -t docket-bench-smoke-triage.XXXXXX)"
(
  t0=$SECONDS
  env -u DATABASE_URL uv run python -m bench.triage --quick &
  child=$!
  trap 'kill "$child" 2>/dev/null; wait "$child"; exit 143' TERM  # the smoke failed: stop it too
  rc=0
  wait "$child" || rc=$?
  echo "$((SECONDS - t0))" >"$triage_log.seconds"
  exit "$rc"
) >"$triage_log" 2>&1 &
triage_pid=$!
trap 'kill "$triage_pid" 2>/dev/null || true; rm -f "$triage_log" "$triage_log.seconds"' EXIT
join_triage() {
  local rc=0
  wait "$triage_pid" || rc=$?
  cat "$triage_log"
  summary+=("$(printf '  %-44s %4d s' "bench.triage (beside the steps above)" "$(cat "$triage_log.seconds")")")
  return "$rc"
}

# One migrated, empty database, docket_bench_smoke_template (bench/template.py): docket_bench_smoke and
# bench.intake's and bench.portal's databases are copies of it (CREATE DATABASE ... TEMPLATE, under a
# second each) instead of three migrations from scratch (tens of seconds each). It is kept between runs
# and migrated again from scratch only when a migration (or what one imports, the settings, uv.lock) changed.
template="${db}_template"
step "template $template, copied to $db" uv run python -m bench.template "$template" --copy "$db"
step "bench.generate ($complaints complaints)" \
  uv run python -m bench.generate --complaints "$complaints" --open-share 0.05 --reset
step "bench.sweep (history doubled)" \
  uv run python -m bench.sweep --selection-seconds 2 --selection-runs 100 --double-history
step "bench.scope_list (staff list: exact vs capped count)" \
  uv run python -m bench.scope_list --runs 1
echo
echo "== bench smoke: bench.triage (quality, and speed on scratch SQLite), run beside the steps above"
t0=$SECONDS
join_triage
summary+=("$(printf '  %-44s %4d s' "  (waited for it)" $((SECONDS - t0)))")
step "bench.http (work queue, list, complaint page)" \
  uv run python -m bench.http --duration 1 --warmup 1
step "bench.analysis (statistics pages: summary vs GROUP BY)" uv run python -m bench.analysis --quick --runs 1 --raw-runs 1 --export-rows 1000
unset DATABASE_URL
step "bench.intake (8 and 32 clients, one office)" \
  env REDIS_URL=redis://127.0.0.1:6379/13 uv run python -m bench.intake --database "${db}_intake" \
  --template "$template" --duration 2 --warmup 1
step "bench.portal (portal filing and tracking beside the API, 8 clients)" \
  env REDIS_URL=redis://127.0.0.1:6379/13 uv run python -m bench.portal --database "${db}_portal" \
  --template "$template" --duration 2 --warmup 1 --offices 1

echo
echo "== bench smoke: every benchmark ran (figures above; no target asserted)"
printf '%s\n' "${summary[@]}"
echo "  total: $((SECONDS - start)) s"
