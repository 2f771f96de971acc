"""Checking a backup by restoring it (docs/operations.md): `manage.py backup_verify PATH`.

A backup is only known to be good once it has been restored. This restores PATH into a scratch database
next to the live one — SQLite: a temporary file, copied with SQLite's online backup API; PostgreSQL: a
scratch database filled by `pg_restore` from a `pg_dump -Fc` file — brings its schema up to the code's
migrations if it is older, then:

- runs SQLite's `PRAGMA integrity_check` (SQLite only);
- verifies every complaint's hash chain (R-ANA-6), exactly as `verify_chains` does on the live database;
- counts the main tables in the backup and in the live database. The live database only grows between
  a backup and the check for the append-only event table, so a backup with *more* events than the live
  database means events were lost or removed from the live one: reported as a problem;
- with `--media DIR` (the copy of MEDIA_ROOT taken with it): every attachment the backup names is in
  DIR with the SHA-256 recorded at upload.

The scratch database is removed at the end (`keep=True` leaves it for inspection).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from django.db import connections
from django.db.utils import load_backend

from .events import ChainProblem, chain_verify
from .models import Attachment, Complaint, ComplaintEvent, ComplaintIssue

ALIAS = "backup_verify"


def _main_tables():
    from docket.accounts.models import User
    from docket.org.models import Office

    return {
        "complaints": Complaint,
        "events": ComplaintEvent,
        "issues": ComplaintIssue,
        "attachments": Attachment,
        "users": User,
        "offices": Office,
    }


@dataclass
class BackupReport:
    scratch: str
    complaints_checked: int = 0
    broken: list[ChainProblem] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (backup, live)
    problems: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken and not self.problems


class BackupError(Exception):
    """The backup could not be restored at all (not a database file, pg_restore failed …)."""


def backup_verify(path: str | Path, *, media: str | Path | None = None, keep: bool = False) -> BackupReport:
    """Restore `path` into a scratch database and check it (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no such backup file: {path}")
    live = connections["default"]
    if live.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database vendor {live.vendor}")
    restore = _restore_sqlite if live.vendor == "sqlite" else _restore_postgres
    scratch_settings, drop = restore(live, path)
    # A connection made here, not declared in settings.DATABASES: nothing else can route to it.
    connections[ALIAS] = load_backend(scratch_settings["ENGINE"]).DatabaseWrapper(scratch_settings, ALIAS)
    report = BackupReport(scratch=str(scratch_settings["NAME"]))
    try:
        report.migrated = _migrate(ALIAS)
        if live.vendor == "sqlite":
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("PRAGMA integrity_check")
                result = [row[0] for row in cursor.fetchall()]
            if result != ["ok"]:
                report.problems.append("SQLite integrity_check: " + "; ".join(result[:5]))
        for _complaint_id, problem in _chains(ALIAS):
            report.complaints_checked += 1
            if problem is not None:
                report.broken.append(problem)
        for name, model in _main_tables().items():
            report.counts[name] = (model.objects.using(ALIAS).count(), model.objects.using("default").count())
        backup_events, live_events = report.counts["events"]
        if backup_events > live_events:
            report.problems.append(
                f"the backup holds {backup_events} events, the live database only {live_events}: "
                "events are missing from the live database"
            )
        if media is not None:
            report.problems.extend(_check_media(ALIAS, Path(media)))
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        if not keep:
            drop()
    return report


def _chains(alias: str, batch: int = 500) -> Iterator[tuple[int, ChainProblem | None]]:
    """Every complaint's chain in the scratch database, in batches (flat memory, two queries a batch)."""
    last = 0
    while True:
        complaints = list(
            Complaint.objects.using(alias).order_by("id").filter(id__gt=last).only("id", "receipt_no")[:batch]
        )
        if not complaints:
            return
        events = (
            ComplaintEvent.objects.using(alias)
            .filter(complaint_id__in=[c.id for c in complaints])
            .order_by("complaint_id", "seq")
        )
        by_complaint = {cid: list(evs) for cid, evs in groupby(events, key=lambda e: e.complaint_id)}
        for complaint in complaints:
            yield complaint.id, chain_verify(complaint, by_complaint.get(complaint.id, []))
        last = complaints[-1].id


def _check_media(alias: str, media: Path) -> list[str]:
    problems = []
    for name, digest in Attachment.objects.using(alias).values_list("file", "sha256").iterator():
        file = media / name
        if not file.is_file():
            problems.append(f"attachment missing from the media copy: {name}")
            continue
        h = hashlib.sha256()
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if digest and h.hexdigest() != digest:
            problems.append(f"attachment differs from the SHA-256 recorded at upload: {name}")
    return problems


def _migrate(alias: str) -> list[str]:
    """Apply the code's migrations the backup lacks (a backup from before an upgrade); their names."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", database=alias, verbosity=0, interactive=False)
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def _restore_sqlite(live, path: Path):
    """Copy the backup into a temporary file with SQLite's backup API (consistent even if the backup
    file is in WAL mode with its -wal beside it; the backup itself is opened read-only)."""
    folder = Path(tempfile.mkdtemp(prefix="docket-backup-verify-"))
    scratch = folder / "restored.sqlite3"
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(scratch)
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from exc
    settings_dict = {**live.settings_dict, "NAME": str(scratch), "TEST": {}}
    return settings_dict, lambda: shutil.rmtree(folder, ignore_errors=True)


def _restore_postgres(live, path: Path):
    """CREATE DATABASE a scratch database on the live server and `pg_restore` the custom-format dump
    into it (no owners or privileges: the scratch database belongs to the connecting role)."""
    name = f"{live.settings_dict['NAME']}_verify_{uuid.uuid4().hex[:8]}"[:63]
    with live.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings_dict = {**live.settings_dict, "NAME": name, "TEST": {}}

    def drop():
        with live.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    env, args = _pg_env(settings_dict)
    result = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *args,
            "--dbname",
            name,
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        drop()
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
    return settings_dict, drop


def _pg_env(s: dict) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    args = []
    if s.get("HOST"):
        args += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", str(s["USER"])]
    return env, args
