"""Report documents (R-ANA-2, R-ANA-3, R-SLA-4, seed 5.2.6.4): pre-filled figures checked by hand on the
fixed data set (dataset.py), the approval step and its refusals, the PDF and Excel documents, the
developer-legacy statistics and their scheduled delivery, and who may open what."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from docket.accounts.models import Role
from docket.complaints.tests.helpers import user_for
from docket.core.errors import DomainError
from docket.core.tests.test_pdf import font_of_first_char, png_ink
from docket.notifications.channels.simple import deliver_email
from docket.notifications.models import Notification, WebhookEndpoint
from docket.reports import approval, delivery, documents, legacy
from docket.reports.models import GeneratedReport, ReportDelivery, ReportDuty, ReportReview
from docket.reports.services import report_duties_open, report_submit
from docket.reports.tests import dataset
from docket.sla import duetimes

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"


@pytest.fixture
def data(org):
    duetimes.invalidate()
    d = dataset.build(org)
    report_duties_open(today=date(2026, 12, 1))
    return d


def _office_duty(org):
    return ReportDuty.objects.get(kind="office_monthly", office=org.a.office, period_start=date(2026, 11, 1))


def _submit(org, duty):
    with time_machine.travel("2026-12-02 10:00 +0800"):
        return report_submit(
            actor=org.a.users["office_manager"],
            duty_id=duty.id,
            causes="电梯老化",
            measures="更换门机板",
            figures=documents.report_figures(documents.duty_complaints_all(duty), duty),
        )


def test_prefilled_figures_match_hand_computed(org, data):
    duty = _office_duty(org)
    f = documents.report_figures(documents.duty_complaints_all(duty), duty)
    # Office A, November: c1 c2 c3 c4 c5 received; October c7; November 2025 c8.
    assert (f["current"]["received"], f["previous"]["received"], f["last_year"]["received"]) == (5, 1, 1)
    # closed: c1 and c2 (follow-up done); c3 withdrawn; open: c4, c5; hot: c2.
    assert (f["current"]["closed"], f["current"]["open"], f["current"]["hot"]) == (2, 2, 1)
    # satisfaction: (5 + 3) / 2; categories: 设施设备 (c1, c2, c3, c5 via 电梯) 4, 地产遗留 (c4) 1.
    assert f["current"]["satisfaction"] == pytest.approx(4.0)
    assert {r["label"]: r["received"] for r in f["by_category"]} == {"设施设备": 4, "地产遗留": 1}
    assert f["top_causes"][0] == {"label": "设施设备 / 电梯", "received": 4}
    # The bars scale to the largest value.
    assert [(b["label"], b["width"]) for b in documents.bars(f["by_category"])] == [
        ("设施设备", 100.0),
        ("地产遗留", 25.0),
    ]
    # The company's quarterly duty does not exist in December; a half-year one would open in January.


def test_approval_flow_and_refusals(org, data):
    duty = _office_duty(org)
    qm, manager = org.users["qm"], org.a.users["office_manager"]
    # Not submitted yet: nothing to decide.
    with pytest.raises(DomainError) as e:
        approval.report_approve(actor=qm, duty_id=duty.id)
    assert e.value.code == "validation"
    _submit(org, duty)
    # The submitter, leadership (not the office analysis' reviewer) and another company's QM are refused,
    # and nothing changes.
    for actor, code in [
        (manager, "forbidden_action"),
        (org.users["leadership"], "forbidden_action"),
        (org.b.users["office_manager"], "not_found"),
        (org.other_company_qm, "not_found"),
    ]:
        with pytest.raises(DomainError) as e:
            approval.report_approve(actor=actor, duty_id=duty.id)
        assert e.value.code == code
    # Returning needs a comment.
    with pytest.raises(DomainError) as e:
        approval.report_return(actor=qm, duty_id=duty.id, comment="  ")
    assert e.value.code == "required"
    duty.refresh_from_db()
    assert duty.status == "submitted" and not ReportReview.objects.exists()
    # Returned: open to its author again, the sections kept, the author told.
    with time_machine.travel("2026-12-03 09:00 +0800"):
        approval.report_return(actor=qm, duty_id=duty.id, comment="请补充趋势分析")
    duty.refresh_from_db()
    assert duty.status == "draft" and duty.causes == "电梯老化"
    assert Notification.objects.filter(kind="report_returned", recipient=manager).exists()
    _submit(org, duty)
    with time_machine.travel("2026-12-04 09:00 +0800"):
        approval.report_approve(actor=qm, duty_id=duty.id, comment="同意")
    duty.refresh_from_db()
    assert duty.status == "approved" and duty.approved_by == qm
    assert [(r.approved, r.reviewer, r.comment) for r in duty.reviews.all()] == [
        (False, qm, "请补充趋势分析"),
        (True, qm, "同意"),
    ]
    # Approving twice is refused; the approval queued the report for delivery once.
    with pytest.raises(DomainError):
        approval.report_approve(actor=qm, duty_id=duty.id)
    assert GeneratedReport.objects.filter(duty=duty, kind="analysis").count() == 1


def test_reviewers_per_kind(org, data):
    dept = ReportDuty.objects.get(kind="dept_monthly", department=org.a.depts["engineering"])
    qm_duty = ReportDuty.objects.filter(kind="qm_periodic").first()
    assert approval.may_review(org.a.users["office_manager"], dept)
    assert not approval.may_review(org.b.users["office_manager"], dept)
    assert not approval.may_review(org.users["qm"], dept)
    assert qm_duty is None or approval.may_review(org.users["leadership"], qm_duty)


def test_review_page_post(client, org, data):
    duty = _office_duty(org)
    _submit(org, duty)
    client.force_login(org.users["qm"])
    html = client.get(reverse("reports:duty", args=[duty.id])).content.decode()
    assert 'name="decision" value="approve"' in html
    r = client.post(reverse("reports:duty_review", args=[duty.id]), {"decision": "return", "comment": ""})
    assert r.status_code == 302
    duty.refresh_from_db()
    assert duty.status == "submitted"
    client.post(reverse("reports:duty_review", args=[duty.id]), {"decision": "approve"})
    duty.refresh_from_db()
    assert duty.status == "approved"
    # The office manager sees the record but no decision buttons.
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("reports:duty", args=[duty.id])).content.decode()
    assert "审核通过" in html and 'value="approve"' not in html
    # Another office's manager: not found, nothing changed.
    client.force_login(org.b.users["office_manager"])
    assert (
        client.post(reverse("reports:duty_review", args=[duty.id]), {"decision": "return"}).status_code == 404
    )


def test_report_pdf_renders_chinese_figures_and_bars(client, org, data):
    duty = _office_duty(org)
    _submit(org, duty)
    approval.report_approve(actor=org.users["qm"], duty_id=duty.id)
    client.force_login(org.a.users["office_manager"])
    r = client.get(reverse("reports:duty_pdf", args=[duty.id]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text, dark = png_ink(r.content)
    assert "管理处月度投诉分析" in text and documents.FORM_NO in text
    assert "设施设备 / 电梯：4" in text and "电梯老化" in text
    assert "Noto-Sans-CJK-SC" in font_of_first_char(r.content)
    assert dark > 2000
    ARTIFACTS.mkdir(exist_ok=True)
    import pypdfium2 as pdfium

    for n, page in enumerate(pdfium.PdfDocument(io.BytesIO(r.content))):
        page.render(scale=1.5).to_pil().save(ARTIFACTS / f"report-analysis-pdf-{n + 1}.png")


def test_report_xlsx(client, org, data):
    duty = _office_duty(org)
    _submit(org, duty)
    client.force_login(org.users["qm"])
    r = client.get(reverse("reports:duty_xlsx", args=[duty.id]))
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert "受理数" in xml and "设施设备 / 电梯" in xml and "更换门机板" in xml


# The duty page, its PDF and Excel: who may open office A's monthly analysis.
DUTY_VISIBLE = {
    Role.RECEPTION: True,
    Role.DEPT_STAFF: False,
    Role.DEPT_SUPERVISOR: False,
    Role.DEPT_MANAGER: False,
    Role.OFFICE_MANAGER: True,
    Role.QM: True,
    Role.GENERAL_OFFICE: False,
    Role.MGMT_REP: True,
    Role.LEADERSHIP: True,
    Role.GROUP_PROPERTY: False,
    Role.COMMITTEE_MEMBER: False,
}


@pytest.mark.parametrize("role", list(DUTY_VISIBLE))
def test_duty_documents_permissions(client, org, data, role):
    duty = _office_duty(org)
    client.force_login(user_for(org, role))
    for name in ("reports:duty", "reports:duty_xlsx"):
        status = client.get(reverse(name, args=[duty.id])).status_code
        assert status == (200 if DUTY_VISIBLE[role] else 404), name
    client.force_login(user_for(org, role, kit=org.b))
    if role not in (Role.QM, Role.GENERAL_OFFICE, Role.MGMT_REP, Role.LEADERSHIP, Role.GROUP_PROPERTY):
        assert client.get(reverse("reports:duty", args=[duty.id])).status_code == 404
    client.force_login(org.other_company_qm)
    assert client.get(reverse("reports:duty_pdf", args=[duty.id])).status_code == 404


# --- developer-legacy statistics -------------------------------------------------------------------------


def test_phase_keywords():
    assert legacy.phase_of("地产遗留", "地下室渗水") == "construction"
    assert legacy.phase_of("小区配套不足，规划变更") == "design"
    assert legacy.phase_of("交房验收时发现门锁损坏") == "handover"
    assert legacy.phase_of("交房两年墙体开裂") == "construction"
    assert legacy.phase_of("", "物业费太高") == "unknown"


def test_legacy_report_figures(org, data):
    r = legacy.legacy_report(org.company, date(2026, 11, 1), date(2026, 11, 30))
    # Only c4 (issue in 地产遗留: "地下室渗水" → construction), office A, open, not forwarded.
    assert [(x.office, x.phase, x.received, x.open, x.forwarded) for x in r.rows] == [
        (org.a.office.name, "construction", 1, 1, 0)
    ]
    assert dict(r.by_phase())["工程施工"] == 1 and dict(r.by_phase())["未能判定"] == 0
    pdf = legacy.legacy_pdf(r)
    text, dark = png_ink(pdf)
    assert "地产遗留问题投诉月度统计" in text and "工程施工" in text and dark > 500
    ARTIFACTS.mkdir(exist_ok=True)
    import pypdfium2 as pdfium

    pdfium.PdfDocument(io.BytesIO(pdf))[0].render(scale=1.5).to_pil().save(
        ARTIFACTS / "report-legacy-pdf-1.png"
    )
    with zipfile.ZipFile(io.BytesIO(legacy.legacy_xlsx(r))) as z:
        assert "工程施工" in "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))


def test_legacy_generated_and_delivered_once(org, data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ReportDelivery.objects.create(
        company=org.company,
        recipients="qm-box@example.com",
        developer_party=org.developer,
        developer_emails="crm@dev.example.com",
    )
    hook = WebhookEndpoint.objects.create(
        name="地产", url="https://dev.example.com/hook", secret="s", external_party_id=org.developer.id
    )
    WebhookEndpoint.objects.create(name="other", url="https://other.example.com/hook", secret="s")
    from docket.notifications import service

    service.caches_clear()
    assert delivery.legacy_reports_generate(today=date(2026, 12, 1)) == 2  # both companies
    gen = GeneratedReport.objects.get(kind="developer_legacy", company=org.company)
    assert gen.period_start == date(2026, 11, 1) and gen.delivered_at is not None
    emails = Notification.objects.filter(kind="report_generated", channel="email")
    assert sorted(emails.values_list("address", flat=True)) == ["crm@dev.example.com", "qm-box@example.com"]
    hooks = Notification.objects.filter(channel="webhook")
    assert list(hooks.values_list("target_id", flat=True)) == [hook.id]  # only the developer's endpoint
    assert Notification.objects.filter(kind="report_generated", recipient=org.users["qm"]).exists()
    before = Notification.objects.count()
    delivery.legacy_reports_generate(today=date(2026, 12, 1))
    assert Notification.objects.count() == before
    assert GeneratedReport.objects.filter(kind="developer_legacy").count() == 2
    # The e-mail carries both files.
    deliver_email(emails.get(address="crm@dev.example.com"))
    names = [a[0] for a in mail.outbox[-1].attachments]
    assert names == ["developer-legacy-202611.xlsx", "developer-legacy-202611.pdf"]


def test_approved_report_delivered_to_recipients(org, data, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ReportDelivery.objects.create(company=org.company, recipients="boss@example.com")
    duty = _office_duty(org)
    _submit(org, duty)
    approval.report_approve(actor=org.users["qm"], duty_id=duty.id)
    assert delivery.reports_deliver_pending() == 1
    assert delivery.reports_deliver_pending() == 0
    n = Notification.objects.get(address="boss@example.com")
    assert [a["name"] for a in n.data["attachments"]] == [
        f"report-{duty.id}-202611.pdf",
        f"report-{duty.id}-202611.xlsx",
    ]


LEGACY_VISIBLE = {
    Role.RECEPTION: 1,
    Role.DEPT_STAFF: 1,
    Role.DEPT_SUPERVISOR: 1,
    Role.DEPT_MANAGER: 1,
    Role.OFFICE_MANAGER: 1,
    Role.QM: 1,
    Role.GENERAL_OFFICE: 1,
    Role.MGMT_REP: 1,
    Role.LEADERSHIP: 1,
    Role.GROUP_PROPERTY: 1,
    Role.COMMITTEE_MEMBER: None,
}


@pytest.mark.parametrize("role", list(LEGACY_VISIBLE))
def test_legacy_page_permissions(client, org, data, role):
    url = reverse("reports:developer_legacy") + "?month=2026-11"
    client.force_login(user_for(org, role))
    r = client.get(url)
    if LEGACY_VISIBLE[role] is None:
        assert r.status_code == 404
        return
    assert r.status_code == 200
    assert r.context["total"].received == LEGACY_VISIBLE[role]
    # Office B's staff count none of office A's.
    client.force_login(user_for(org, role, kit=org.b))
    r = client.get(url)
    expected = (
        1
        if role in (Role.QM, Role.GENERAL_OFFICE, Role.MGMT_REP, Role.LEADERSHIP, Role.GROUP_PROPERTY)
        else 0
    )
    assert r.context["total"].received == expected


@pytest.mark.parametrize("period", ["quarter", "half_year"])
def test_company_periodic_analysis_prefilled_per_company_setting(org, period):
    """QM's analysis covers the quarter, or the half-year when the company's policy says so (seed
    5.2.6.3 names both); its figures are the company's."""
    from docket.sla.models import SlaPolicy

    duetimes.invalidate()
    dataset.build(org)
    if period == "half_year":
        SlaPolicy.objects.create(company=org.company, rules={"reports": {"qm_period": "half_year"}})
    report_duties_open(today=date(2027, 1, 1))
    duty = ReportDuty.objects.get(kind="qm_periodic", company=org.company)
    start = date(2026, 10, 1) if period == "quarter" else date(2026, 7, 1)
    assert (duty.period_start, duty.period_end) == (start, date(2026, 12, 31))
    f = documents.report_figures(documents.duty_complaints_all(duty), duty)
    # Company-wide: office A's five in November and c7 in October, office B's c6: 7. The period before
    # has none; a year before, c8 (November 2025) only.
    assert (f["current"]["received"], f["previous"]["received"], f["last_year"]["received"]) == (7, 0, 1)
    assert {r["label"]: r["received"] for r in f["by_category"]} == {"设施设备": 6, "地产遗留": 1}
    assert approval.may_review(org.users["leadership"], duty) and approval.may_review(
        org.users["mgmt_rep"], duty
    )
    assert not approval.may_review(org.users["qm"], duty)


def test_reviewers_are_people_at_work(org, data):
    """Who is told of a submitted report: the reviewers' role holders who are at work (`people_q`, as the
    notices and the hand-over rule), not a deactivated account nor a service account."""
    dept = ReportDuty.objects.get(kind="dept_monthly", department=org.a.depts["engineering"])
    manager = org.a.users["office_manager"]
    assert manager in approval.reviewers_of(dept)
    manager.is_service = True
    manager.save(update_fields=["is_service"])
    assert manager not in approval.reviewers_of(dept)
    manager.is_service, manager.is_active = False, False
    manager.save(update_fields=["is_service", "is_active"])
    assert manager not in approval.reviewers_of(dept)
