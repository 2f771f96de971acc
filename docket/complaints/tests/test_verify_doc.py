"""docs/verify.md (issue 11, portal answers; R-ANA-6, R-INT-6): the steps an outsider follows to check an
exported chain, run exactly as written — the export command from the page, its `verify.py`, its shell
blocks — on an intact export and on tampered ones, outside Docket's environment (the system `python3`,
standard library only, and `sha256sum`)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from docket.complaints import services as s
from docket.complaints.events import receipt_digest
from docket.complaints.models import State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[3] / "docs" / "verify.md"
EXAMPLE_NO = "CYY-20261204-0001"


def _blocks() -> list[tuple[str, str]]:
    """(info string, code) of every fenced block, in order."""
    return [
        (m.group(1).strip(), m.group(2)) for m in re.finditer(r"```([^\n]*)\n(.*?)```", DOC.read_text(), re.S)
    ]


def _export_args() -> list[str]:
    [cmd] = [code for info, code in _blocks() if "chain_export" in code and not info]
    args = shlex.split(cmd.strip())
    return args[args.index("chain_export") + 1 :]


def _shell_blocks() -> list[str]:
    return [code for info, code in _blocks() if info == "sh"]


def _run(code: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    # Not Docket's virtual environment: the system's python3 and sha256sum.
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if ".venv" not in p)
    clean = {"PATH": path, "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8", **env}
    return subprocess.run(
        ["bash", "-c", code], cwd=cwd, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
def exported(org, tmp_path):
    """One closed complaint with a Chinese reply, exported by the page's own command line into tmp_path,
    and the page's verify.py saved beside it."""
    c = drive_to(org, State.CLOSED)
    s.note_add(actor=org.a.users["office_manager"], complaint_id=c.id, text="内部备注：已回访")
    [script] = [code for info, code in _blocks() if info == "python verify.py"]
    (tmp_path / "verify.py").write_text(script, encoding="utf-8")
    args = [c.receipt_no if a == EXAMPLE_NO else a for a in _export_args()]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("chain_export", *args)
    finally:
        os.chdir(cwd)
    path = tmp_path / "chain.jsonl"
    assert path.exists()
    return c, path, {"RECEIPT": c.receipt_no, "DIGEST": receipt_digest(c)[:16]}


def test_the_page_has_the_steps():
    assert [info for info, _ in _blocks()].count("python verify.py") == 1
    assert len(_shell_blocks()) == 3
    assert _export_args()[0] == EXAMPLE_NO


def test_an_intact_export_passes_every_documented_step(exported):
    c, path, env = exported
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == c.events.count() and json.loads(lines[0])["event"]["kind"] == "registered"
    check, with_receipt, by_sha256sum = _shell_blocks()
    r = _run(check, path.parent, env)
    assert r.returncode == 0 and r.stdout.startswith("OK 1 record(s)"), r.stdout + r.stderr
    last = json.loads(lines[-1])["hash"]
    assert last in r.stdout
    r = _run(with_receipt, path.parent, env)
    assert r.returncode == 0, r.stdout + r.stderr
    r = _run(by_sha256sum, path.parent, env)
    assert r.returncode == 0 and r.stdout.split()[0] == receipt_digest(c)


def _tamper(path: Path, change) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    change(rows)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def _reply_row(rows):
    return next(r for r in rows if r["event"]["kind"] == "reply_sent")


@pytest.mark.parametrize(
    ("name", "change", "says"),
    [
        (
            "a reply's text",
            lambda rows: _reply_row(rows)["event"]["payload"].update(body="已全部处理完毕"),
            "content",
        ),
        ("who acted", lambda rows: rows[2]["event"].update(actor_name="别人"), "content"),
        ("a removed event", lambda rows: rows.pop(3), "missing"),
        ("reordered events", lambda rows: rows.insert(2, rows.pop(4)), "missing"),
        (
            "a rewritten event with its own hash recomputed",
            lambda rows: _rehash(rows, 2, lambda e: e.update(actor_name="别人")),
            "does not link",
        ),
    ],
)
def test_a_tampered_export_fails(exported, name, change, says):
    c, path, env = exported
    _tamper(path, change)
    r = _run(_shell_blocks()[0], path.parent, env)
    assert r.returncode == 1, name
    assert "BROKEN" in r.stdout and says in r.stdout, (name, r.stdout)


def _rehash(rows, index, edit):
    import hashlib

    edit(rows[index]["event"])
    body = json.dumps(
        rows[index]["event"], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()
    rows[index]["hash"] = hashlib.sha256(rows[index]["prev_hash"].encode() + b"\n" + body).hexdigest()


def test_a_record_that_is_not_the_receipted_one_fails_the_receipt_step(exported, org):
    c, path, env = exported
    other = drive_to(org, State.REGISTERED)
    r = _run(_shell_blocks()[1], path.parent, {**env, "DIGEST": receipt_digest(other)[:16]})
    assert r.returncode == 1 and "registration digest does not match" in r.stdout
    r = _run(_shell_blocks()[1], path.parent, {**env, "DIGEST": "abc"})  # too short to mean anything
    assert r.returncode == 1
