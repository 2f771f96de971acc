#!/usr/bin/env bash
# Installs what Docket needs and is missing: uv (from PyPI), the locked Python packages, and for the
# browser tests Debian's Chromium and a CJK font. Never downloads a browser of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

need_browser="${1:-}"

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
  echo "Docket needs Python >= 3.11 (found: $($PY --version 2>&1))." >&2
  exit 1
fi
if ! command -v uv >/dev/null 2>&1; then
  echo ">> installing uv from PyPI"
  "$PY" -m pip install --quiet --user uv 2>/dev/null || "$PY" -m pip install --quiet uv
  export PATH="$HOME/.local/bin:$PATH"
fi
uv sync --frozen --quiet

if [ "$need_browser" = "browser" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # (no grep -q: with pipefail, its early exit would fail the pipeline with SIGPIPE)
  fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      echo ">> installing ${missing[*]} with apt-get"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "The browser tests need Debian's Chromium and a CJK font. Run:" >&2
      echo "  sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
fi
