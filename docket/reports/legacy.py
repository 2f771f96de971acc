"""Developer-legacy (地产遗留) monthly statistics for the developer's customer-relations centre (seed
5.2.6.4, R-ANA-3): each office's developer-legacy complaints of the month, by project phase — planning
and design (规划设计), construction (工程施工), handover inspection (接管验收) — with how many were
forwarded to the developer and answered, exported as Excel and PDF, reported to QM and sent to the
developer's mailbox or webhook endpoint (`delivery.py`).

Which complaints: those flagged `developer_related`, or with an issue in a developer-legacy category
(`Category.developer_related`, or its parent's). The record has no phase field, so the phase is read from
what exists — the issue's category name, then the issue's summary, then the complaint's subject — by the
keywords below (construction before handover: "交房两年墙体开裂" is a construction defect); nothing found
answers "unknown" (未能判定), shown as its own row, never guessed.

Developer-legacy complaints are a small share of a month (dozens per office), so their rows are read once
(two queries, `values()`) and classified in Python.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import xlsxwriter
from django.db.models import Exists, OuterRef, Q

from docket.complaints.models import TERMINAL_STATES, Complaint, ComplaintIssue, DeveloperForward, State
from docket.org.models import Company, Office

from .exports import BOOK_OPTIONS, safe_text
from .statistics import day_bounds

FORM_TITLE = "地产遗留问题投诉月度统计"
PHASES = (
    ("design", "规划设计", ("规划", "设计", "户型", "布局", "配套", "车位配比", "绿化率", "容积率")),
    (
        "construction",
        "工程施工",
        ("施工", "工程", "渗水", "渗漏", "漏水", "裂缝", "开裂", "空鼓", "防水", "质量", "脱落", "沉降"),
    ),
    ("handover", "接管验收", ("交房", "验收", "接管", "交付", "精装", "入伙")),
)
UNKNOWN = ("unknown", "未能判定")
PHASE_LABELS = {code: label for code, label, _ in PHASES} | {UNKNOWN[0]: UNKNOWN[1]}


def phase_of(*texts: str) -> str:
    """The project phase a text speaks of (the first text with a keyword decides), else "unknown"."""
    for text in texts:
        for code, _label, words in PHASES:
            if text and any(w in text for w in words):
                return code
    return UNKNOWN[0]


@dataclass
class LegacyRow:
    office: str
    phase: str
    received: int = 0
    closed: int = 0
    open: int = 0
    forwarded: int = 0
    answered: int = 0

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS[self.phase]


@dataclass
class LegacyReport:
    company: Company
    date_from: date
    date_to: date
    rows: list[LegacyRow] = field(default_factory=list)

    @property
    def total(self) -> LegacyRow:
        t = LegacyRow(office="合计", phase=UNKNOWN[0])
        for r in self.rows:
            t.received += r.received
            t.closed += r.closed
            t.open += r.open
            t.forwarded += r.forwarded
            t.answered += r.answered
        return t

    def by_phase(self) -> list[tuple[str, int]]:
        counts = {code: 0 for code in PHASE_LABELS}
        for r in self.rows:
            counts[r.phase] += r.received
        return [(PHASE_LABELS[c], n) for c, n in counts.items()]

    def as_json(self) -> dict[str, Any]:
        return {
            "company": self.company.name,
            "period": [self.date_from.isoformat(), self.date_to.isoformat()],
            "rows": [
                {
                    "office": r.office,
                    "phase": r.phase,
                    "phase_label": r.phase_label,
                    "received": r.received,
                    "closed": r.closed,
                    "open": r.open,
                    "forwarded_to_developer": r.forwarded,
                    "developer_answered": r.answered,
                }
                for r in self.rows
            ],
            "by_phase": dict(self.by_phase()),
        }


def legacy_complaints(company_id: int, date_from: date, date_to: date, office_ids=None):
    start, end = day_bounds(date_from, date_to)
    legacy_issue = ComplaintIssue.objects.filter(complaint=OuterRef("pk")).filter(
        Q(category__developer_related=True) | Q(category__parent__developer_related=True)
    )
    qs = Complaint.objects.filter(company_id=company_id, received_at__gte=start, received_at__lt=end).filter(
        Q(developer_related=True) | Exists(legacy_issue)
    )
    if office_ids is not None:
        qs = qs.filter(office_id__in=list(office_ids))
    return qs


def legacy_report(company: Company, date_from: date, date_to: date, office_ids=None) -> LegacyReport:
    """The month's developer-legacy figures of the company (or of `office_ids`), per office and phase."""
    qs = legacy_complaints(company.id, date_from, date_to, office_ids)
    forwarded = DeveloperForward.objects.filter(complaint=OuterRef("pk"))
    rows = list(
        qs.annotate(
            fwd=Exists(forwarded), answered=Exists(forwarded.filter(answered_at__isnull=False))
        ).values("id", "office_id", "subject", "state", "fwd", "answered")
    )
    texts: dict[int, list[str]] = {}
    for cid, cat, parent, summary in (
        ComplaintIssue.objects.filter(complaint_id__in=[r["id"] for r in rows])
        .order_by("complaint_id", "seq")
        .values_list("complaint_id", "category__name", "category__parent__name", "summary")
    ):
        texts.setdefault(cid, []).extend([f"{parent or ''}{cat or ''}", summary or ""])
    offices = dict(Office.objects.filter(company=company).values_list("id", "name"))
    found: dict[tuple[str, str], LegacyRow] = {}
    for r in rows:
        issue_texts = texts.get(r["id"], [])
        # category names first, then summaries, then the subject
        phase = phase_of(*issue_texts[0::2], *issue_texts[1::2], r["subject"])
        key = (offices.get(r["office_id"], ""), phase)
        row = found.setdefault(key, LegacyRow(office=key[0], phase=phase))
        row.received += 1
        if r["state"] in (State.CLOSED, State.UNCLOSED):
            row.closed += 1
        if r["state"] not in TERMINAL_STATES:
            row.open += 1
        row.forwarded += int(r["fwd"])
        row.answered += int(r["answered"])
    order = {code: n for n, code in enumerate(PHASE_LABELS)}
    return LegacyReport(
        company=company,
        date_from=date_from,
        date_to=date_to,
        rows=sorted(found.values(), key=lambda x: (x.office, order[x.phase])),
    )


COLUMNS = ("管理处", "项目阶段", "投诉数", "已关闭", "处理中", "已转地产", "地产已答复")


def _cells(r: LegacyRow, office: str | None = None) -> list:
    return [office or r.office, r.phase_label, r.received, r.closed, r.open, r.forwarded, r.answered]


def legacy_xlsx(report: LegacyReport) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, BOOK_OPTIONS)
    sheet = book.add_worksheet("地产遗留")
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    sheet.set_column(0, 1, 18)
    sheet.set_column(2, 6, 11)
    sheet.write_string(0, 0, safe_text(f"{report.company.name} {FORM_TITLE}"), bold)
    sheet.write_string(1, 0, f"{report.date_from} ~ {report.date_to}")
    for col, title in enumerate(COLUMNS):
        sheet.write_string(3, col, title, head)
    row = 4
    total = report.total
    for r in [*report.rows, total]:
        for col, value in enumerate(_cells(r, "合计" if r is total else None)):
            if r is total and col == 1:
                value = ""
            if isinstance(value, int):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, safe_text(value))
        row += 1
    row += 1
    sheet.write_string(row, 0, "按项目阶段", bold)
    row += 1
    for label, n in report.by_phase():
        sheet.write_string(row, 0, label)
        sheet.write_number(row, 1, n)
        row += 1
    book.close()
    return buf.getvalue()


def legacy_pdf(report: LegacyReport) -> bytes:
    from docket.core.pdf import render_pdf

    from .documents import bars

    phases = report.by_phase()
    chart = bars([{"label": label, "received": n} for label, n in phases], limit=len(phases), ordered=True)
    return render_pdf(
        "reports/pdf/legacy.html",
        {"report": report, "title": FORM_TITLE, "columns": COLUMNS, "chart": chart, "total": report.total},
    )
