"""The board as an Excel file: the report helpers' safe workbook (no formulas, no links from user text)."""

from __future__ import annotations

import io

import xlsxwriter

from docket.core import clock
from docket.reports.exports import BOOK_OPTIONS, safe_text

from .selectors import Row

COLUMNS = [
    ("回执编号", 20),
    ("管理处", 14),
    ("级别", 6),
    ("主题", 40),
    ("状态", 10),
    ("投诉人", 10),
    ("判定规则", 30),
    ("证据", 50),
    ("判定时间", 17),
    ("报告义务", 50),
    ("受理时间", 17),
]


def _when(value) -> str:
    return clock.to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def board_xlsx(rows: list[Row]) -> bytes:
    """The board's rows as shown to the viewer (masked people stay masked)."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, BOOK_OPTIONS)
    sheet = book.add_worksheet("热点重大投诉")
    head = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    for col, (title, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, head)
    for n, r in enumerate(rows, start=1):
        c = r.complaint
        duties = "；".join(f"{d.label} {_when(d.due_at)} {d.state_label}" for d in r.duties)
        values = [
            c.receipt_no,
            c.office.name,
            c.get_severity_display(),
            c.subject,
            c.get_state_display(),
            "匿名" if r.person.anonymous else r.person.name,
            "、".join(r.rules),
            "；".join(r.evidence),
            _when(r.classified_at),
            duties,
            _when(c.received_at),
        ]
        for col, value in enumerate(values):
            sheet.write_string(n, col, safe_text(value))
    book.close()
    return buf.getvalue()
