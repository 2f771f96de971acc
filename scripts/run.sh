#!/usr/bin/env bash
# Starts the background worker and the web server on the embedded default (SQLite + SqliteHuey),
# prints the URL and the demo logins, and stops the worker when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-8000}"
export DJANGO_SETTINGS_MODULE=config.settings.dev
uv run python manage.py run_huey --workers 2 >var/worker.log 2>&1 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo
echo "Docket is running: http://127.0.0.1:${port}/   (admin: http://127.0.0.1:${port}/admin/)"
echo "Worker log: var/worker.log"
uv run python manage.py demo_logins
echo
uv run python manage.py runserver "127.0.0.1:${port}" --noreload
