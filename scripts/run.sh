#!/usr/bin/env bash
# Starts the background worker and the web server on the embedded default (SQLite + SqliteHuey),
# prints the URL and the demo logins, and stops the worker when the server stops.
#
#   scripts/run.sh PORT          granian (as production deploys it) with config.settings.run: DEBUG off,
#                                static files by WhiteNoise (run `collectstatic` first; `make run` does)
#   scripts/run.sh --dev PORT    Django's runserver with config.settings.dev: DEBUG on, autoreload (`make dev`)
set -euo pipefail
cd "$(dirname "$0")/.."
dev=""
if [ "${1:-}" = "--dev" ]; then
  dev=1
  shift
fi
port="${1:-8000}"
if [ -n "$dev" ]; then
  export DJANGO_SETTINGS_MODULE=config.settings.dev
else
  export DJANGO_SETTINGS_MODULE=config.settings.run
fi
mkdir -p var
uv run python manage.py run_huey --workers 2 >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo
echo "Docket is running: http://127.0.0.1:${port}/   (admin: http://127.0.0.1:${port}/admin/)"
echo "Worker log: var/worker.log"
uv run python manage.py demo_logins
echo
if [ -n "$dev" ]; then
  uv run python manage.py runserver "127.0.0.1:${port}"
else
  # The README's production command, on the loopback: 3 workers with 2 blocking threads each, so a request
  # waiting for the database does not hold up the worker; a listen backlog of 1024 (runserver's is 5-ish).
  uv run granian --interface wsgi --workers 3 --blocking-threads 2 --no-ws --log-level warning \
    --host 127.0.0.1 --port "$port" config.wsgi:application
fi
