"""The report documents (R-ANA-2, R-ANA-3, seed 5.2.6): the periodic analysis pre-filled with its
period's figures, as a page, a PDF (controlled form K01-F2) and an Excel workbook. Figures come from the
statistics engine's public functions (`statistics.compare`, `breakdown`, `top_causes`); this module only
arranges them. A submitted report keeps the figures it was submitted with (`ReportDuty.figures`), so the
document stays what was sent; a draft shows the figures as they stand."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import xlsxwriter
from django.db.models import Q, QuerySet

from docket.complaints.models import Complaint, ComplaintIssue

from . import statistics as stats
from .exports import BOOK_OPTIONS, safe_text
from .models import ReportDuty

# The seed's number; what is printed is the company's own (`docket.org.form_numbers`, seed3).
FORM_NO = "TJ**WY8.3-K01-F2"


def duty_form_number(duty: ReportDuty) -> str:
    """The K01-F2 number the duty's company prints (its configuration, else the seed's)."""
    from docket.org.form_numbers import form_number

    return form_number(duty.company, "statistics")


BREAKDOWNS = (("category", "按投诉类别"), ("department", "按责任部门"), ("channel", "按渠道"))
HEADLINES = (
    ("received", "受理数", "int"),
    ("closed", "已关闭", "int"),
    ("open", "处理中", "int"),
    ("overdue", "逾期未结", "int"),
    ("on_time_rate", "及时率", "pct"),
    ("satisfaction", "顾客满意度", "num"),
    ("hot", "热点", "int"),
    ("major", "重大", "int"),
)


def duty_complaints_all(duty: ReportDuty) -> QuerySet[Complaint]:
    """The complaints a report covers, read without a viewer (the scheduled jobs): the same rule as
    `selectors.duty_complaints` — the department's, the office's or the company's."""
    qs = Complaint.objects.filter(company_id=duty.company_id)
    if duty.department_id:
        held = Complaint.objects.filter(holder_department_id=duty.department_id).values("id")
        owned = ComplaintIssue.objects.filter(department_id=duty.department_id).values("complaint_id")
        return qs.filter(Q(id__in=held) | Q(id__in=owned))
    if duty.office_id:
        return qs.filter(office_id=duty.office_id)
    return qs


def _row(r) -> dict[str, Any]:
    return {
        "received": r.received,
        "closed": r.closed,
        "open": r.open,
        "overdue": r.overdue,
        "on_time_rate": r.on_time_rate,
        "satisfaction": r.satisfaction,
        "hot": r.hot,
        "major": r.major,
    }


def _months(duty: ReportDuty) -> int:
    return (
        (duty.period_end.year - duty.period_start.year) * 12
        + duty.period_end.month
        - duty.period_start.month
        + 1
    )


def as_scope(source):
    """A `figures.Scope` for the report's figures: a scope as given (read from the summary table), or a
    selection of complaints computed live by the same definitions (a department's report, a delivery)."""
    from django.db.models import Q as _Q

    from . import figures

    if isinstance(source, figures.Scope):
        return source
    return figures.LiveScope(_Q(), selection=source)


def duty_compare(source, duty: ReportDuty) -> stats.Comparison:
    """The report's period beside the period of the same length just before it (the month before a
    monthly report, the quarter or half-year before a periodic one) and the same period a year before.
    `source`: a `figures.Scope` or a queryset of complaints (`as_scope`)."""
    from . import figures

    scope = as_scope(source)
    start, end = duty.period_start, duty.period_end
    prev_start = stats.shift_months(start, -_months(duty))
    prev = (prev_start, start - timedelta(days=1))
    year = stats.shift_period(start, end, -12)
    if duty.period_end == stats.shift_months(start, _months(duty)) - timedelta(days=1):
        year = (
            stats.shift_months(start, -12),
            stats.shift_months(end + timedelta(days=1), -12) - timedelta(days=1),
        )

    def total(a, b):
        return figures.breakdown(scope, date_from=a, date_to=b).total

    return stats.Comparison(
        current=total(start, end),
        previous=total(*prev),
        last_year=total(*year),
        previous_range=prev,
        last_year_range=year,
    )


def report_figures(source, duty: ReportDuty) -> dict[str, Any]:
    """The period's figures for the report: the headline figures of this period, the period before and
    the same period a year before; the top five causes; and the breakdowns by category, department and
    channel (label, received, closed, on-time rate) that the charts draw."""
    start, end = duty.period_start, duty.period_end
    from . import figures

    scope = as_scope(source)
    cmp = duty_compare(scope, duty)
    causes = figures.top_causes(scope, date_from=start, date_to=end)
    return figures_from(
        cmp,
        causes,
        [figures.breakdown(scope, dimension=code, date_from=start, date_to=end) for code, _t in BREAKDOWNS],
    )


def figures_from(cmp, causes, breakdowns) -> dict[str, Any]:
    """The stored form of the figures, from the engine's comparison, top causes and the breakdowns in
    the order of BREAKDOWNS (the duty page computes them once for the screen and the submission)."""
    figures: dict[str, Any] = {
        "current": _row(cmp.current),
        "previous": _row(cmp.previous),
        "last_year": _row(cmp.last_year),
        "previous_range": [d.isoformat() for d in cmp.previous_range],
        "last_year_range": [d.isoformat() for d in cmp.last_year_range],
        "top_causes": [{"label": r.label, "received": r.received} for r in causes],
    }
    for (code, _title), b in zip(BREAKDOWNS, breakdowns, strict=True):
        figures[f"by_{code}"] = [
            {"label": r.label, "received": r.received, "closed": r.closed, "on_time_rate": r.on_time_rate}
            for r in b.rows
        ]
    return figures


def shown_figures(duty: ReportDuty, qs: QuerySet[Complaint]) -> dict[str, Any]:
    """The figures a document shows: those stored at submission when they are complete, else live."""
    if duty.submitted_at is not None and "by_category" in (duty.figures or {}):
        return duty.figures
    return report_figures(qs, duty)


def _fmt(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "num":
        return f"{value:.2f}"
    return str(value)


def _change(now, before) -> str:
    if now is None or before in (None, 0):
        return "—"
    return f"{(now - before) / before * 100:+.1f}%"


def headline_rows(figures: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for key, label, kind in HEADLINES:
        now, prev, year = (figures.get(p, {}).get(key) for p in ("current", "previous", "last_year"))
        out.append(
            {
                "label": label,
                "now": _fmt(now, kind),
                "prev": _fmt(prev, kind),
                "mom": _change(now, prev),
                "year": _fmt(year, kind),
                "yoy": _change(now, year),
            }
        )
    return out


def bars(rows: list[dict[str, Any]], limit: int = 10, *, ordered: bool = False) -> list[dict[str, Any]]:
    """A bar chart's bars (label, value, width in % of the largest), for HTML bars in the page and PDF:
    the largest first, or in the given order (`ordered`, e.g. the project phases)."""
    rows = (rows if ordered else sorted(rows, key=lambda r: -r["received"]))[:limit]
    top = max((r["received"] for r in rows), default=0) or 1
    return [
        {"label": r["label"], "value": r["received"], "width": round(r["received"] * 100 / top, 1)}
        for r in rows
    ]


def document_context(duty: ReportDuty, figures: dict[str, Any]) -> dict[str, Any]:
    """What the PDF and the Excel workbook show."""
    from .services import REPORT_SECTIONS

    charts = [
        {"title": title, "bars": bars(figures.get(f"by_{code}", [])), "rows": figures.get(f"by_{code}", [])}
        for code, title in BREAKDOWNS
    ]
    reviews = list(duty.reviews.select_related("reviewer").order_by("reviewed_at", "id"))
    return {
        "duty": duty,
        "form_no": duty_form_number(duty),
        "headlines": headline_rows(figures),
        "figures": figures,
        "causes": figures.get("top_causes", []),
        "charts": charts,
        "sections": [(label, getattr(duty, key)) for key, label in REPORT_SECTIONS],
        "reviews": reviews,
        "fmt_pct": lambda v: _fmt(v, "pct"),
    }


def report_xlsx(duty: ReportDuty, figures: dict[str, Any]) -> bytes:
    """The report as one workbook: the headline figures, the top causes, each breakdown and the written
    sections (user text written as text, never a formula)."""
    ctx = document_context(duty, figures)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, BOOK_OPTIONS)
    sheet = book.add_worksheet("报告")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 5, 14)
    row = 0
    sheet.write_string(row, 0, f"{duty.get_kind_display()}（{ctx['form_no']}）", bold)
    row += 1
    who = duty.department or duty.office or duty.company
    sheet.write_string(row, 0, safe_text(f"{who} {duty.period_start} ~ {duty.period_end}"))
    row += 2
    for col, title in enumerate(["指标", "本期", "上期", "环比", "去年同期", "同比"]):
        sheet.write_string(row, col, title, head)
    row += 1
    for h in ctx["headlines"]:
        for col, key in enumerate(["label", "now", "prev", "mom", "year", "yoy"]):
            sheet.write_string(row, col, h[key])
        row += 1
    row += 1
    sheet.write_string(row, 0, "主要投诉原因（前五位）", bold)
    row += 1
    for n, c in enumerate(ctx["causes"], 1):
        sheet.write_string(row, 0, safe_text(f"{n}. {c['label']}"))
        sheet.write_number(row, 1, c["received"])
        row += 1
    for chart in ctx["charts"]:
        row += 1
        sheet.write_string(row, 0, chart["title"], bold)
        row += 1
        for col, title in enumerate(["项目", "受理数", "已关闭", "及时率"]):
            sheet.write_string(row, col, title, head)
        row += 1
        for r in chart["rows"]:
            sheet.write_string(row, 0, safe_text(r["label"]))
            sheet.write_number(row, 1, r["received"])
            sheet.write_number(row, 2, r["closed"])
            sheet.write_string(row, 3, _fmt(r["on_time_rate"], "pct"))
            row += 1
    for label, text in ctx["sections"]:
        row += 1
        sheet.write_string(row, 0, label, bold)
        row += 1
        sheet.merge_range(row, 0, row, 5, "", wrap)
        sheet.write_string(row, 0, safe_text(text or ""), wrap)
        row += 1
    if duty.approved_at:
        row += 1
        sheet.write_string(
            row, 0, safe_text(f"审核通过：{duty.approved_by} {duty.approved_at:%Y-%m-%d %H:%M}")
        )
    book.close()
    return buf.getvalue()
