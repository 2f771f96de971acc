"""Pages of the report documents: the approval decision, the report as PDF and Excel, and the
developer-legacy monthly statistics (page, PDF, Excel). Parse → access → one service → render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from docket.core import clock
from docket.core.errors import DomainError
from docket.core.pdf import pdf_response

from . import approval, documents, legacy
from . import selectors as rs
from .services import report_duties_visible_to

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _duty(request, pk: int):
    duty = (
        report_duties_visible_to(request.user).select_related("company", "approved_by").filter(pk=pk).first()
    )
    if duty is None:
        raise Http404
    return duty


@login_required
@require_POST
def duty_review(request, pk: int):
    """Approve (`decision=approve`) or return (`decision=return`, comment required) a submitted report."""
    _duty(request, pk)
    comment = request.POST.get("comment", "")
    try:
        if request.POST.get("decision") == "approve":
            approval.report_approve(actor=request.user, duty_id=pk, comment=comment)
            messages.success(request, "报告已审核通过。")
        else:
            approval.report_return(actor=request.user, duty_id=pk, comment=comment)
            messages.success(request, "报告已退回修改。")
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        messages.error(request, exc.message)
        return redirect("reports:duty", pk=pk)
    return redirect("reports:duty", pk=pk)


def _figures(request, duty):
    return documents.shown_figures(duty, rs.duty_complaints(request.user, duty))


@login_required
def duty_pdf(request, pk: int):
    """The report as a PDF (controlled form K01-F2), figures drawn as bars."""
    duty = _duty(request, pk)
    ctx = documents.document_context(duty, _figures(request, duty))
    return pdf_response("reports/pdf/analysis.html", ctx, f"report-{duty.id}-{duty.period_start:%Y%m}.pdf")


@login_required
def duty_xlsx(request, pk: int):
    duty = _duty(request, pk)
    data = documents.report_xlsx(duty, _figures(request, duty))
    name = f"report-{duty.id}-{duty.period_start:%Y%m}.xlsx"
    return HttpResponse(
        data, headers={"Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{name}"'}
    )


def _month(request) -> tuple[date, date]:
    from datetime import timedelta

    today = clock.local_now().date()
    try:
        first = date.fromisoformat((request.GET.get("month") or "") + "-01")
    except ValueError:
        first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    from .statistics import shift_months

    return first, shift_months(first, 1) - timedelta(days=1)


@login_required
def developer_legacy(request):
    """地产遗留问题投诉月度统计 (seed 5.2.6.4): the month's developer-legacy complaints of the offices in
    the viewer's scope, per office and project phase; `format=xlsx|pdf` downloads it."""
    from docket.complaints import scopes

    if not rs.may_view_statistics(request.user):
        raise Http404
    companies = list(rs.companies_in_scope(request.user).order_by("id"))
    if not companies:
        raise Http404
    try:
        company = next(c for c in companies if c.id == int(request.GET.get("company") or companies[0].id))
    except (StopIteration, ValueError) as exc:
        raise Http404 from exc
    office_ids = scopes.offices_in_scope(request.user).filter(company=company).values_list("id", flat=True)
    date_from, date_to = _month(request)
    report = legacy.legacy_report(company, date_from, date_to, office_ids=list(office_ids))
    fmt = request.GET.get("format")
    stem = f"developer-legacy-{date_from:%Y%m}"
    if fmt == "xlsx":
        return HttpResponse(
            legacy.legacy_xlsx(report),
            headers={"Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{stem}.xlsx"'},
        )
    if fmt == "pdf":
        response = HttpResponse(legacy.legacy_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{stem}.pdf"'
        return response
    return render(
        request,
        "reports/legacy.html",
        {
            "report": report,
            "total": report.total,
            "columns": legacy.COLUMNS,
            "companies": companies,
            "company": company,
            "month": f"{date_from:%Y-%m}",
            "phases": documents.bars(
                [{"label": lb, "received": n} for lb, n in report.by_phase()],
                limit=len(legacy.PHASE_LABELS),
                ordered=True,
            ),
        },
    )
