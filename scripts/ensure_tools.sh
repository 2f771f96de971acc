#!/usr/bin/env bash
# Installs what Docket needs and is missing: uv (from PyPI), the locked Python packages, and on request
# (arguments, any of): `browser` for the full test suite — Debian's Chromium, a CJK font and Dovecot's IMAP
# server (the email-channel tests start their own private instance); `wrk` for the HTTP benchmarks. Never
# downloads a browser of its own. apt-get waits up to 5 minutes for a dpkg lock another process holds
# (unattended upgrades, a parallel install) instead of failing at once.
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

need_browser=""
need_wrk=""
for arg in "$@"; do
  case "$arg" in
    browser) need_browser=1 ;;
    wrk) need_wrk=1 ;;
    *) echo "ensure_tools.sh: unknown argument $arg (browser, wrk)" >&2; exit 2 ;;
  esac
done
APT=(apt-get -o DPkg::Lock::Timeout=300)

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

missing=()
# PDF documents (receipts, reports) are set in Noto Sans CJK (docket/core/pdf.py): needed to serve, not only
# to test. WeasyPrint's Pango comes with it.
# (no grep -q: with pipefail, its early exit would fail the pipeline with SIGPIPE)
fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
ldconfig -p 2>/dev/null | grep "libpangoft2-1.0" >/dev/null || missing+=(libpangoft2-1.0-0)
# The English catalogue: makemessages and compilemessages run GNU gettext, and so does the test that
# guards the catalogue (docket/core/tests/test_messages.py).
{ command -v xgettext && command -v msgmerge && command -v msgfmt; } >/dev/null 2>&1 || missing+=(gettext)
if [ -n "$need_wrk" ]; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
fi
if [ -n "$need_browser" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # The email-channel tests (docket/mailin) start a private Dovecot with their own config in a temp dir;
  # the package's system service is not wanted (see the policy-rc.d guard below).
  [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo ">> installing ${missing[*]} with apt-get"
    # Keep apt from starting the packages' services (Dovecot's system IMAP server) during the install,
    # with Debian's own mechanism; container images usually have this file already.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    "${APT[@]}" update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Missing Debian packages (PDFs need a CJK font and Pango; translations need gettext; the full test" >&2
    echo "suite needs Chromium and dovecot-imapd;" >&2
    echo "the HTTP benchmarks need wrk). Run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
