"""`manage.py backup_verify`: restore a backup into a scratch database and check it (docs/operations.md)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from conftest import build_org, make_complaint
from docket.complaints.models import ComplaintEvent

# Committed data (the backup is taken by another connection); conftest lifts the event DELETE guard for
# the flush afterwards.
pytestmark = pytest.mark.usefixtures("transactional_db")


def take_backup(dest: Path) -> Path:
    """The documented way: SQLite's online backup API / pg_dump -Fc."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        source = sqlite3.connect(settings["NAME"])
        target = sqlite3.connect(dest)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        env = dict(os.environ, PGPASSWORD=str(settings.get("PASSWORD") or ""))
        args = ["pg_dump", "-Fc", "--file", str(dest), "--host", settings["HOST"] or "127.0.0.1"]
        args += ["--port", str(settings["PORT"] or 5432), "--username", settings["USER"] or "postgres"]
        subprocess.run([*args, settings["NAME"]], check=True, env=env)
    return dest


@pytest.fixture
def history():
    org = build_org()
    return [make_complaint(org) for _ in range(3)]


def run(path, *args):
    out, err = StringIO(), StringIO()
    try:
        call_command("backup_verify", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def test_an_intact_backup_passes_and_its_counts_match(history, tmp_path):
    backup = take_backup(tmp_path / "docket.backup")
    ok, out, err = run(backup)
    assert ok, err
    assert "checked 3 complaints, 0 broken" in out and "backup OK" in out
    events = ComplaintEvent.objects.count()
    assert any(line.split() == ["events", str(events), str(events)] for line in out.splitlines()), out
    assert any(line.split() == ["complaints", "3", "3"] for line in out.splitlines()), out


def test_the_scratch_database_is_removed(history, tmp_path):
    backup = take_backup(tmp_path / "docket.backup")
    from docket.complaints.backup import backup_verify

    report = backup_verify(backup)
    assert report.ok
    if connection.vendor == "sqlite":
        assert not Path(report.scratch).exists()
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [report.scratch])
            assert cursor.fetchone() is None


def test_a_tampered_backup_fails_and_names_the_complaint(history, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the backup file is edited with SQLite")
    backup = take_backup(tmp_path / "docket.backup")
    victim = history[1]
    db = sqlite3.connect(backup)
    with db:  # whoever edits a backup drops the append-only trigger first
        db.execute("DROP TRIGGER IF EXISTS complaintevent_no_update")
        db.execute(
            "UPDATE complaints_complaintevent SET actor_name = '别人' WHERE complaint_id = ? AND seq = 1",
            [victim.id],
        )
    db.close()
    ok, out, err = run(backup)
    assert not ok
    assert f"BROKEN {victim.receipt_no} (id {victim.id}): event #1: content does not match its hash" in err
    assert "checked 3 complaints, 1 broken" in out


def test_a_backup_with_more_events_than_the_live_database_is_a_problem(history, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the backup file is edited with SQLite")
    backup = take_backup(tmp_path / "docket.backup")
    # Events removed from the live database behind the guard's back (the guard is lifted for the test).
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS complaintevent_no_delete")
        cursor.execute("DELETE FROM complaints_complaintevent WHERE complaint_id = %s", [history[2].id])
    ok, out, err = run(backup)
    assert not ok and "events are missing from the live database" in err


def test_not_a_backup(tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database at all" * 100)
    ok, out, err = run(junk)
    assert not ok
    assert run(tmp_path / "missing.backup")[0] is False


def test_the_media_copy_is_checked_against_the_recorded_digests(history, tmp_path, settings):
    from docket.complaints.services import UploadInput, attachment_add

    from .helpers import JPEG, PNG

    settings.MEDIA_ROOT = tmp_path / "live-media"
    kit_user = history[0].received_by
    photo = attachment_add(actor=kit_user, complaint_id=history[0].id, upload=UploadInput("a.png", PNG))
    scan = attachment_add(actor=kit_user, complaint_id=history[1].id, upload=UploadInput("b.jpg", JPEG))
    backup = take_backup(tmp_path / "docket.backup")
    media = tmp_path / "media"
    shutil.copytree(settings.MEDIA_ROOT, media)
    ok, out, err = run(backup, "--media", str(media))
    assert ok, err

    (media / photo.file.name).write_bytes(PNG + b"changed")
    (media / scan.file.name).unlink()
    ok, out, err = run(backup, "--media", str(media))
    assert not ok
    assert f"attachment differs from the SHA-256 recorded at upload: {photo.file.name}" in err
    assert f"attachment missing from the media copy: {scan.file.name}" in err
