"""Scheduled generation and delivery of the report documents (R-ANA-2/3, seed 5.2.6.4), run by the jobs
in `config/jobs.py`. Both are idempotent: a `GeneratedReport` row exists once per report, its files are
written under a fixed name, every message has a fixed dedupe key, and `delivered_at` is set once.

- `legacy_reports_generate(today)` (the 1st of each month): each company's developer-legacy statistics of
  the month just ended, as Excel and PDF, to QM (in the app), to the developer's centre — its mailbox
  (`ReportDelivery.developer_emails`, e-mail with both files attached) and its webhook endpoints (the
  endpoints registered for that external party; the figures as JSON) — and to the report recipients.
- `reports_deliver_pending()` (hourly): approved analyses not yet delivered, as PDF and Excel, e-mailed to
  the company's report recipients (`ReportDelivery.recipients`).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from docket.accounts.models import Role, RoleAssignment, User, people_q
from docket.core import clock
from docket.notifications.service import notify, notify_email, notify_webhooks
from docket.org.models import Company

from . import documents, legacy
from .models import GeneratedReport, ReportDelivery

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _save(company_id: int, name: str, data: bytes, content_type: str) -> dict:
    """Write a generated file under a fixed path (overwritten by a rerun, so never two copies)."""
    path = f"reports/{company_id}/{name}"
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(data))
    return {
        "name": name,
        "path": path,
        "content_type": content_type,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _settings(company_id: int) -> ReportDelivery | None:
    return ReportDelivery.objects.filter(company_id=company_id).select_related("developer_party").first()


def _previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def legacy_report_generate(*, company_id: int, today: date | None = None) -> GeneratedReport:
    """Generate (once) and deliver the company's developer-legacy statistics of the month before `today`."""
    today = today or clock.local_now().date()
    start, end = _previous_month(today)
    company = Company.objects.get(pk=company_id)
    gen = GeneratedReport.objects.filter(
        kind=GeneratedReport.Kind.DEVELOPER_LEGACY, company=company, period_start=start, duty__isnull=True
    ).first()
    if gen is None:
        report = legacy.legacy_report(company, start, end)
        stem = f"developer-legacy-{start:%Y%m}"
        files = [
            _save(company.id, f"{stem}.xlsx", legacy.legacy_xlsx(report), XLSX),
            _save(company.id, f"{stem}.pdf", legacy.legacy_pdf(report), PDF),
        ]
        try:
            with transaction.atomic():
                gen = GeneratedReport.objects.create(
                    kind=GeneratedReport.Kind.DEVELOPER_LEGACY,
                    company=company,
                    period_start=start,
                    period_end=end,
                    figures=report.as_json(),
                    files=files,
                    created_at=clock.now(),
                )
        except IntegrityError:  # generated concurrently
            gen = GeneratedReport.objects.get(
                kind=GeneratedReport.Kind.DEVELOPER_LEGACY,
                company=company,
                period_start=start,
                duty__isnull=True,
            )
    _deliver_legacy(gen)
    return gen


def _deliver_legacy(gen: GeneratedReport) -> None:
    if gen.delivered_at is not None:
        return
    conf = _settings(gen.company_id)
    title = f"{gen.company} {legacy.FORM_TITLE} {gen.period_start:%Y-%m}"
    key = f"legacy:{gen.company_id}:{gen.period_start:%Y%m}"
    total = sum(r["received"] for r in gen.figures.get("rows", []))
    body = f"{title}：共 {total} 件，详见附件。"
    attachments = [{k: f[k] for k in ("name", "path", "content_type")} for f in gen.files]
    with transaction.atomic():
        qm = RoleAssignment.objects.filter(company_id=gen.company_id, role=Role.QM).values("user_id")
        notify(
            kind="report_generated",
            recipients=User.objects.filter(people_q(), id__in=qm),
            subject=title,
            body=body,
            dedupe_key=key,
            company_id=gen.company_id,
            ref=f"generated:{gen.id}",
        )
        if conf is not None:
            for address in [*conf.developer_email_list, *conf.recipient_emails]:
                notify_email(
                    kind="report_generated",
                    address=address,
                    subject=title,
                    body=body,
                    dedupe_key=f"{key}:{address}",
                    company_id=gen.company_id,
                    ref=f"generated:{gen.id}",
                    attachments=attachments,
                )
            if conf.developer_party_id:
                notify_webhooks(
                    event="report.developer_legacy",
                    data=gen.figures
                    | {"files": [{"name": f["name"], "sha256": f["sha256"]} for f in gen.files]},
                    dedupe_key=key,
                    company_id=gen.company_id,
                    party_ids=[conf.developer_party_id],
                    ref=f"generated:{gen.id}",
                    party_only=True,
                )
        GeneratedReport.objects.filter(pk=gen.pk, delivered_at__isnull=True).update(delivered_at=clock.now())
    gen.refresh_from_db()


def legacy_reports_generate(*, today: date | None = None) -> int:
    """Every company's developer-legacy statistics of the month just ended (run on the 1st; idempotent)."""
    n = 0
    for company_id in Company.objects.values_list("id", flat=True):
        legacy_report_generate(company_id=company_id, today=today)
        n += 1
    return n


def report_deliver(*, generated_id: int) -> bool:
    """Render an approved analysis (PDF, Excel) and e-mail it to the company's report recipients, once."""
    gen = GeneratedReport.objects.select_related("duty__company", "duty__office", "duty__department").get(
        pk=generated_id
    )
    if gen.delivered_at is not None or gen.duty is None:
        return False
    from docket.core.pdf import render_pdf

    duty = gen.duty
    figures = (
        duty.figures
        if "by_category" in (duty.figures or {})
        else documents.report_figures(documents.duty_complaints_all(duty), duty)
    )
    ctx = documents.document_context(duty, figures)
    stem = f"report-{duty.id}-{duty.period_start:%Y%m}"
    if not gen.files:
        gen.files = [
            _save(gen.company_id, f"{stem}.pdf", render_pdf("reports/pdf/analysis.html", ctx), PDF),
            _save(gen.company_id, f"{stem}.xlsx", documents.report_xlsx(duty, figures), XLSX),
        ]
        gen.save(update_fields=["files"])
    conf = _settings(gen.company_id)
    title = f"{duty}（已审核）"
    attachments = [{k: f[k] for k in ("name", "path", "content_type")} for f in gen.files]
    with transaction.atomic():
        for address in conf.recipient_emails if conf else []:
            notify_email(
                kind="report_generated",
                address=address,
                subject=title,
                body=f"{title}，审核人：{duty.approved_by}，详见附件。",
                dedupe_key=f"analysis:{duty.id}:{address}",
                company_id=gen.company_id,
                ref=f"generated:{gen.id}",
                attachments=attachments,
            )
        return bool(
            GeneratedReport.objects.filter(pk=gen.pk, delivered_at__isnull=True).update(
                delivered_at=clock.now()
            )
        )


def reports_deliver_pending() -> int:
    """Deliver every approved analysis not yet delivered (hourly; idempotent)."""
    ids = GeneratedReport.objects.filter(
        kind=GeneratedReport.Kind.ANALYSIS, delivered_at__isnull=True, duty__isnull=False
    ).values_list("id", flat=True)
    return sum(report_deliver(generated_id=i) for i in list(ids))
