"""The archive of one complaint (R-ANA-5, R-ESC-2, seed 5.3.4): every record of its file as one PDF (the
顾客意见(投诉/建议)处理表, TJ**WY8.3-K01-F1, with issues, replies and their reviews, claims, NCRs,
developer forwards, the follow-up, deadlines, attachments and the full event log) and a ZIP bundle:

    manifest.json          what the bundle holds: each file's path, size and SHA-256; the chain's first and
                           last hash and whether it verified; who exported it and when; `dossier`
    record.pdf             the PDF above
    events.jsonl           the hash chain, one event per line, verbatim (anyone can recompute the hashes:
                           docs/decisions.md)
    records.json           the structured records (issues, replies + reviews, claims, NCRs, forwards,
                           follow-up, obligations)
    attachments/…          the attached files, each checked against the SHA-256 stored at upload
    dossier/reports.jsonl  major complaints only (单独立卷): the escalation records — raised to major, the
                           reports to the group, the special report

The bundle is built in memory: one complaint's file is a few megabytes (attachments are capped at upload).
Personal data appears as the exporter may read it (`privacy.person_for`).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.forms.models import model_to_dict

from docket.complaints import privacy, selectors
from docket.complaints.events import chain_verify
from docket.complaints.models import Complaint, ComplaintEvent, Severity
from docket.core import clock
from docket.org.form_numbers import form_number

FORM_NO = "TJ**WY8.3-K01-F1"  # the seed's; the printed one is the company's (`form_number`)
# Event kinds that belong in a major complaint's separate dossier: its raising, the group reports and
# the special report (the escalation app's kinds start with these prefixes).
DOSSIER_PREFIXES = ("severity_", "group_report", "special_report", "major_")


def is_dossier(complaint: Complaint) -> bool:
    return complaint.severity == Severity.MAJOR


def _event_line(e: ComplaintEvent) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "kind": e.kind,
        "actor": e.actor_id,
        "actor_name": e.actor_name,
        "actor_role": e.actor_role,
        "at": e.at.isoformat(),
        "public": e.public,
        "payload": e.payload,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


def _dump(obj) -> dict[str, Any]:
    data = model_to_dict(obj)
    data["id"] = obj.pk
    return data


def records(complaint: Complaint) -> dict[str, Any]:
    c = complaint
    follow = c.follow_up_or_none
    return {
        "complaint": {"id": c.id, "receipt_no": c.receipt_no, "state": c.state, "severity": c.severity},
        "issues": [_dump(i) for i in c.issues.all()],
        "replies": [_dump(r) | {"reviews": [_dump(v) for v in r.reviews.all()]} for r in c.replies.all()],
        "claims": [_dump(x) for x in c.claims.all()],
        "ncrs": [_dump(x) for x in c.ncrs.all()],
        "developer_forwards": [_dump(x) for x in c.developer_forwards.all()],
        "follow_up": _dump(follow) if follow else None,  # the current (latest) round's
        "follow_ups": [_dump(f) for f in c.follow_ups.all()],  # every round (a reopened complaint has two)
        "obligations": [_dump(o) for o in c.obligations.all()],
        "attachments": [
            {k: v for k, v in _dump(a).items() if k != "file"} | {"path": a.file.name}
            for a in c.attachments.all()
        ],
    }


@dataclass
class Archive:
    complaint: Complaint
    events: list[ComplaintEvent]
    chain_ok: bool
    dossier: bool

    @property
    def dossier_events(self) -> list[ComplaintEvent]:
        return [e for e in self.events if e.kind.startswith(DOSSIER_PREFIXES)]


def archive_of(complaint_id: int) -> Archive:
    complaint = Complaint.objects.select_related("company", "office", "community", "building").get(
        pk=complaint_id
    )
    complaint = selectors.complaint_detail_for(complaint)
    events = list(selectors.timeline_for(complaint))
    return Archive(complaint, events, chain_verify(complaint, events) is None, is_dossier(complaint))


def archive_pdf(archive: Archive, user) -> bytes:
    from docket.core.pdf import render_pdf

    c = archive.complaint
    return render_pdf(
        "archive/pdf/record.html",
        {
            "c": c,
            "person": privacy.person_for(user, c),
            "events": archive.events,
            "chain_ok": archive.chain_ok,
            "first_hash": archive.events[0].hash if archive.events else "",
            "last_hash": archive.events[-1].hash if archive.events else "",
            "dossier": archive.dossier,
            "dossier_events": archive.dossier_events,
            "form_no": form_number(c.company, "record_form"),
            "printed_at": clock.local_now(),
            "printed_by": user,
        },
    )


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_bundle(archive: Archive, user) -> bytes:
    """The ZIP bundle described above."""
    c = archive.complaint
    files: list[tuple[str, bytes]] = [("record.pdf", archive_pdf(archive, user))]
    files.append(
        (
            "events.jsonl",
            "".join(
                json.dumps(_event_line(e), ensure_ascii=False, sort_keys=True) + "\n" for e in archive.events
            ).encode(),
        )
    )
    files.append(
        (
            "records.json",
            json.dumps(records(c), ensure_ascii=False, indent=1, sort_keys=True, default=str).encode(),
        )
    )
    missing = []
    for a in c.attachments.all():
        try:
            with default_storage.open(a.file.name or "", "rb") as f:
                data = f.read()
        except (FileNotFoundError, OSError):
            missing.append({"id": a.id, "name": a.original_name, "reason": "file missing"})
            continue
        if _sha(data) != a.sha256:
            missing.append({"id": a.id, "name": a.original_name, "reason": "digest differs from upload"})
        safe = "".join(ch for ch in a.original_name if ch not in '/\\:*?"<>|') or "file"
        files.append((f"attachments/{a.id}-{safe}", data))
    if archive.dossier:
        files.append(
            (
                "dossier/reports.jsonl",
                "".join(
                    json.dumps(_event_line(e), ensure_ascii=False, sort_keys=True) + "\n"
                    for e in archive.dossier_events
                ).encode(),
            )
        )
    manifest = {
        "format": "docket-archive/1",
        "receipt_no": c.receipt_no,
        "complaint_id": c.id,
        "company": c.company.name,
        "office": c.office.name,
        "dossier": archive.dossier,
        "dossier_label": "重大投诉单独立卷" if archive.dossier else "",
        "exported_at": clock.now().isoformat(),
        "exported_by": str(user),
        "chain": {
            "events": len(archive.events),
            "first_hash": archive.events[0].hash if archive.events else "",
            "last_hash": archive.events[-1].hash if archive.events else "",
            "verified": archive.chain_ok,
        },
        "attachment_problems": missing,
        "files": [{"path": name, "size": len(data), "sha256": _sha(data)} for name, data in files],
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


def bundle_verify(data: bytes) -> list[str]:
    """The problems of a bundle (empty when every file matches its manifest digest and nothing is extra)."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        manifest = json.loads(z.read("manifest.json"))
        listed = {f["path"]: f for f in manifest["files"]}
        for name in z.namelist():
            if name == "manifest.json":
                continue
            entry = listed.pop(name, None)
            if entry is None:
                problems.append(f"{name}: not in the manifest")
                continue
            content = z.read(name)
            if _sha(content) != entry["sha256"] or len(content) != entry["size"]:
                problems.append(f"{name}: digest differs")
        problems += [f"{name}: missing" for name in listed]
    return problems
