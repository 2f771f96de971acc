"""The archive of one complaint (R-ANA-5, R-ESC-2): the PDF, the bundle whose manifest digests verify
(and catch a changed file), the separate dossier of a major complaint, and who may export."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.archive import services as archive
from docket.complaints import services as s
from docket.complaints.events import compute_hash
from docket.complaints.services import UploadInput
from docket.complaints.tests.helpers import drive_to, user_for
from docket.core.testing.images import PNG
from docket.core.tests.test_pdf import font_of_first_char, png_ink

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def full(org, settings, tmp_path):
    """A closed complaint with an attachment, a developer forward, a claim and an NCR."""
    settings.MEDIA_ROOT = tmp_path
    c = drive_to(org, "investigating")
    u = org.a.users
    s.attachment_add(actor=u["reception"], complaint_id=c.id, upload=UploadInput("现场.png", PNG))
    s.developer_forward(
        actor=u["office_manager"], complaint_id=c.id, party_id=org.developer.id, reason="外墙渗水"
    )
    s.compensation_claim_record(actor=u["reception"], complaint_id=c.id, amount="300", description="墙纸损坏")
    s.ncr_issue(
        actor=org.users["mgmt_rep"],
        complaint_id=c.id,
        nonconformity="巡检漏项",
        cause="计划不全",
        corrective_action="修订巡检表",
    )
    return c


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_bundle_holds_every_record_and_its_digests_verify(client, org, full):
    client.force_login(org.users["qm"])
    r = client.get(reverse("archive:bundle", args=[full.id]))
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    assert archive.bundle_verify(r.content) == []
    z = _zip(r.content)
    manifest = json.loads(z.read("manifest.json"))
    names = {f["path"] for f in manifest["files"]}
    assert {"record.pdf", "events.jsonl", "records.json"} <= names
    assert any(n.startswith("attachments/") and n.endswith("现场.png") for n in names)
    assert manifest["dossier"] is False and manifest["chain"]["verified"] is True
    records = json.loads(z.read("records.json"))
    assert (
        len(records["developer_forwards"]) == 1 and len(records["claims"]) == 1 and len(records["ncrs"]) == 1
    )
    assert records["issues"] and records["attachments"][0]["original_name"] == "现场.png"
    # The chain as JSON Lines: each line's hash recomputes from the one before.
    from docket.complaints.models import ComplaintEvent

    lines = [json.loads(x) for x in z.read("events.jsonl").decode().splitlines()]
    assert [x["seq"] for x in lines] == list(range(1, len(lines) + 1))
    assert lines[-1]["hash"] == manifest["chain"]["last_hash"]
    for x in lines:
        e = ComplaintEvent.objects.get(complaint=full, seq=x["seq"])
        assert compute_hash(x["prev_hash"], e) == x["hash"]
    # A changed file, a removed file and an extra file are each caught.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as w:
        for name in z.namelist():
            data = z.read(name)
            if name == "records.json":
                data = data.replace(b"300", b"900")
            if name != "events.jsonl":
                w.writestr(name, data)
        w.writestr("extra.txt", b"x")
    problems = archive.bundle_verify(out.getvalue())
    assert sorted(problems) == [
        "events.jsonl: missing",
        "extra.txt: not in the manifest",
        "records.json: digest differs",
    ]


def test_pdf_renders_the_whole_file(client, org, full):
    client.force_login(org.a.users["office_manager"])
    r = client.get(reverse("archive:pdf", args=[full.id]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "Noto-Sans-CJK-SC" in font_of_first_char(r.content)
    doc = pdfium.PdfDocument(io.BytesIO(r.content))
    text = "".join(p.get_textpage().get_text_range() for p in doc).replace("\r\n", "")
    for needle in (
        full.receipt_no,
        archive.FORM_NO,
        "外墙渗水",
        "墙纸损坏",
        "修订巡检表",
        "现场.png",
        "校验通过",
    ):
        assert needle in text, needle
    assert "单独立卷" not in text
    _, dark = png_ink(r.content)
    assert dark > 3000
    ARTIFACTS.mkdir(exist_ok=True)
    for n, page in enumerate(doc):
        page.render(scale=1.5).to_pil().save(ARTIFACTS / f"archive-pdf-{n + 1}.png")


def test_major_complaint_is_a_separate_dossier(client, org, full):
    s.severity_raise(actor=org.users["qm"], complaint_id=full.id, severity="major", reason="群诉并联系媒体")
    client.force_login(org.users["qm"])
    r = client.get(reverse("archive:bundle", args=[full.id]))
    assert "-dossier.zip" in r["Content-Disposition"]
    z = _zip(r.content)
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["dossier"] is True and manifest["dossier_label"] == "重大投诉单独立卷"
    kinds = [json.loads(x)["kind"] for x in z.read("dossier/reports.jsonl").decode().splitlines()]
    assert "severity_raised" in kinds
    assert archive.bundle_verify(r.content) == []
    text = "".join(
        p.get_textpage().get_text_range() for p in pdfium.PdfDocument(io.BytesIO(z.read("record.pdf")))
    ).replace("\r\n", "")
    assert "单独立卷" in text, text
    assert "群诉并联系媒体" in text, text


# Who may export office A's complaint (R-ANA-5): QM and leadership (company), the office's manager and
# front desk; nobody else. Office B's people never, another company's QM never.
EXPORT = {
    Role.RECEPTION: True,
    Role.DEPT_STAFF: False,
    Role.DEPT_SUPERVISOR: False,
    Role.DEPT_MANAGER: False,
    Role.OFFICE_MANAGER: True,
    Role.QM: True,
    Role.GENERAL_OFFICE: False,
    Role.MGMT_REP: False,
    Role.LEADERSHIP: True,
    Role.GROUP_PROPERTY: False,
    Role.COMMITTEE_MEMBER: False,
}


@pytest.mark.parametrize("role", list(EXPORT))
def test_export_permissions(client, org, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    c = drive_to(org, "registered")
    for user, allowed in (
        (user_for(org, role), EXPORT[role]),
        (user_for(org, role, kit=org.b), EXPORT[role] and role in (Role.QM, Role.LEADERSHIP)),
        (org.other_company_qm, False),
    ):
        client.force_login(user)
        # The bundle carries the chain verbatim (unmasked): not for leadership, who sees personal data masked.
        bundle_allowed = allowed and role != Role.LEADERSHIP
        for name, ok in (("archive:pdf", allowed), ("archive:bundle", bundle_allowed)):
            status = client.get(reverse(name, args=[c.id])).status_code
            assert status == (200 if ok else 404), (user, name)
        detail = client.get(reverse("complaints:detail", args=[c.id]))
        if detail.status_code == 200:
            page = detail.content.decode()
            assert (reverse("archive:pdf", args=[c.id]) in page) == allowed
            assert (reverse("archive:bundle", args=[c.id]) in page) == bundle_allowed
