"""A migrated, empty PostgreSQL database that benchmark databases are copied from (the bench smoke).

    uv run python -m bench.template docket_bench_smoke_template --copy docket_bench_smoke

Migrating an empty database from scratch takes tens of seconds (the migrations' Python, not the SQL);
`CREATE DATABASE x TEMPLATE y` copies a migrated one in well under a second. The template is kept between
runs under a fingerprint of what decides its schema, stored as the database's comment: every migration file,
every module of the project a migration imports (docket/complaints/db_guards.py's trigger SQL, for one),
the settings and uv.lock (the third-party apps' migrations). When the fingerprint differs, or the template is
missing, it is dropped and migrated again from scratch — an edited migration never leaves a stale template.

`--copy DB` (repeatable) then drops each DB and creates it as a copy of the template. bench.intake and
bench.portal take `--template DB` to do the same for their own database. PostgreSQL refuses a template that
has open sessions; `create_database` retries that refusal for a few seconds (an autovacuum worker may visit
a freshly written template).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
COMMENT = "bench template "


def pg_url(database: str) -> str:
    base = os.environ.get("BENCH_PG_URL", DEFAULT_PG).rstrip("/")
    return f"{base}/{database}"


def _module_files(module: str) -> list[Path]:
    """The project files a dotted module name may be: a module, or a package's __init__.py."""
    base = ROOT / Path(*module.split("."))
    return [p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file()]


def schema_files() -> list[Path]:
    """Every migration of the project, the project modules they import, the settings and uv.lock."""
    migrations = sorted(p for p in (ROOT / "docket").glob("*/migrations/*.py"))
    imported: set[Path] = set()
    for path in migrations:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                if name.split(".")[0] in {"docket", "config"}:
                    imported.update(_module_files(name))
    settings = sorted((ROOT / "config" / "settings").glob("*.py"))
    return [*migrations, *sorted(imported - set(migrations)), *settings, ROOT / "uv.lock"]


def fingerprint() -> str:
    h = hashlib.sha256()
    for path in schema_files():
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def _admin():
    import psycopg

    return psycopg.connect(pg_url("postgres"), autocommit=True)


def create_database(name: str, template: str | None = None) -> None:
    """Drop `name` and create it empty, or as a copy of `template`."""
    from psycopg import errors

    if template == name:
        sys.exit(f"template {template}: the template must be another database than {name}")
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            return
        for attempt in range(40):
            try:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                return
            except errors.ObjectInUse:  # "source database ... is being accessed by other users"
                if attempt == 39:
                    raise
                time.sleep(0.25)


def ensure_template(name: str) -> bool:
    """Make `name` a migrated, empty database for the current fingerprint; True if it had to be migrated."""
    want = COMMENT + fingerprint()
    with _admin() as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    if row is not None and row[0] == want:
        return False
    create_database(name)
    env = {**os.environ, "DATABASE_URL": pg_url(name)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    # its own process: this one never opens a Django connection, so none is left on the template
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    with _admin() as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{want}'")
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.template", description=__doc__.split("\n\n")[0])
    ap.add_argument("template", help="the template database (e.g. docket_bench_smoke_template)")
    ap.add_argument("--copy", action="append", default=[], metavar="DB", help="recreate DB as a copy of it")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    migrated = ensure_template(args.template)
    print(
        f"template {args.template}: "
        f"{'migrated from scratch' if migrated else 'up to date (fingerprint unchanged)'} "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    for db in args.copy:
        t0 = time.perf_counter()
        create_database(db, args.template)
        print(f"  {db}: copied from it in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
