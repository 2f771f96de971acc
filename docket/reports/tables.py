"""The statistics as tables: one definition of the columns for the page, the CSV and the Excel file, so
what is shown and what is downloaded are the same figures. A cell carries its value, how to show it and,
on staff pages, the drill-down link to the filtered complaint list."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import xlsxwriter
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from docket.complaints.models import Obligation

from .statistics import Breakdown, Row


@dataclass
class Cell:
    value: Any
    fmt: str = "int"  # int | pct | num | text
    href: str = ""

    @property
    def shown(self) -> str:
        v = self.value
        if v is None:
            return "—"
        if self.fmt == "pct":
            return f"{float(v) * 100:.1f}%"  # type: ignore[arg-type]
        if self.fmt == "num":
            return f"{float(v):.2f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
        return str(v)


# (attribute, heading, format, list filter for the drill-down)
STAFF_COLUMNS = [
    ("received", gettext_lazy("受理数"), "int", {}),
    ("closed", gettext_lazy("已关闭"), "int", {"state": "closed"}),
    ("unclosed", gettext_lazy("未关闭结案"), "int", {"state": "unclosed"}),
    ("withdrawn", gettext_lazy("撤回"), "int", {"state": "withdrawn"}),
    ("open", gettext_lazy("处理中"), "int", {"open": "1"}),
    ("overdue", gettext_lazy("逾期未结"), "int", {"open": "1", "overdue": "1"}),
    ("close_rate", gettext_lazy("关闭率"), "pct", None),
    ("on_time_rate", gettext_lazy("及时率（全部时限）"), "pct", None),
    ("handling_p50", gettext_lazy("处理时长中位数（工作小时）"), "num", None),
    ("handling_p90", gettext_lazy("处理时长90分位（工作小时）"), "num", None),
    ("satisfaction", gettext_lazy("顾客满意度（1-5）"), "num", None),
    ("quality", gettext_lazy("质检评分（1-5）"), "num", None),
    ("reopened", gettext_lazy("不认可答复（重开）"), "int", None),
    ("reopen_rate", gettext_lazy("重开率"), "pct", None),
    ("rounds", gettext_lazy("协商轮次"), "int", None),
    ("hot", gettext_lazy("热点"), "int", None),
    ("major", gettext_lazy("重大"), "int", None),
]
COMMITTEE_COLUMNS = [
    ("received", gettext_lazy("受理数"), "int", None),
    ("closed", gettext_lazy("已关闭"), "int", None),
    ("on_time_rate", gettext_lazy("及时率"), "pct", None),
    ("satisfaction", gettext_lazy("顾客满意度（1-5）"), "num", None),
    ("open", gettext_lazy("处理中"), "int", None),
    ("overdue", gettext_lazy("逾期未结"), "int", None),
    ("hot", gettext_lazy("热点"), "int", None),
    ("major", gettext_lazy("重大"), "int", None),
]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    total: list[Cell]


def _drill(base: dict, dim_code: str, row: Row, extra: dict | None, period: tuple[date, date]) -> str:
    if extra is None:
        return ""
    from .statistics import DIMENSIONS, shift_months

    q = dict(base)
    q["received_from"], q["received_to"] = period[0].isoformat(), period[1].isoformat()
    if dim_code == "month" and row.key is not None:
        first = row.key.replace(day=1)
        last = shift_months(first, 1) - timedelta(days=1)
        q["received_from"] = max(first, period[0]).isoformat()
        q["received_to"] = min(last, period[1]).isoformat()
    elif dim_code not in ("total", "month"):
        dim = DIMENSIONS[dim_code]
        if not dim.drill or row.key is None:
            return ""
        q[dim.drill] = str(row.key)
    q.update(extra)
    return reverse("complaints:list") + "?" + urlencode(q)


def table(
    b: Breakdown,
    *,
    committee: bool = False,
    drill_base: dict | None = None,
    period: tuple[date, date] | None = None,
    on_time: bool = True,
) -> Table:
    """The breakdown as a table: staff see every column, per-kind on-time rates and drill-down links
    (when `drill_base` is given); the committee sees its columns only, never a link to a complaint."""
    columns = COMMITTEE_COLUMNS if committee else STAFF_COLUMNS
    if not on_time:
        columns = [c for c in columns if c[0] != "on_time_rate"]
    kind_labels = dict(Obligation.Kind.choices)
    headers = [str(b.dimension.label)] + [str(h) for _a, h, _f, _d in columns]
    if not committee and on_time:
        headers += [_("及时率：%(kind)s") % {"kind": kind_labels.get(k, k)} for k in b.kinds]

    def cells(row: Row, label: str) -> list[Cell]:
        out = [Cell(label, "text")]
        for attr, _h, fmt, extra in columns:
            href = ""
            if drill_base is not None and period is not None and extra is not None:
                href = _drill(
                    drill_base, b.dimension.code if row is not b.total else "total", row, extra, period
                )
            out.append(Cell(getattr(row, attr), fmt, href))
        if not committee and on_time:
            out += [Cell(row.rate_of(k), "pct") for k in b.kinds]
        return out

    rows = [cells(r, r.label) for r in b.rows] if b.dimension.code != "total" else []
    return Table(str(b.dimension.label), headers, rows, cells(b.total, _("合计")))


# --- downloads ------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str) -> str:
    """A spreadsheet opening the CSV must not run user text as a formula (category names are typed by
    administrators): such text gets a leading apostrophe."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def tables_csv(tables: list[Table]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    for t in tables:
        w.writerow([_csv_text(t.title)])
        w.writerow(t.headers)
        for row in [*t.rows, t.total]:
            w.writerow(
                [
                    _csv_text(str(c.value)) if c.fmt == "text" else ("" if c.value is None else c.value)
                    for c in row
                ]
            )
        w.writerow([])
    # A BOM so that Excel opens the UTF-8 file with the Chinese intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def tables_xlsx(tables: list[Table], *, heading: list[str], sheet: str = "统计") -> bytes:
    """The tables one below the other on one sheet (the layout of the paper form), constant memory; user
    text is always written as a string, never as a formula."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(
        buf, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False}
    )
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True})
    pct = book.add_format({"num_format": "0.0%"})
    num = book.add_format({"num_format": "0.00"})
    ws.set_column(0, 0, 24)
    ws.set_column(1, 30, 12)
    r = 0
    for line in heading:
        ws.write_string(r, 0, line, bold)
        r += 1
    r += 1
    for t in tables:
        ws.write_string(r, 0, t.title, bold)
        r += 1
        for c, h in enumerate(t.headers):
            ws.write_string(r, c, h, head)
        r += 1
        for row in [*t.rows, t.total]:
            for c, cell in enumerate(row):
                if cell.value is None:
                    continue
                if cell.fmt == "text":
                    ws.write_string(r, c, str(cell.value))
                else:
                    ws.write_number(
                        r,
                        c,
                        float(cell.value),
                        pct if cell.fmt == "pct" else num if cell.fmt == "num" else None,
                    )  # type: ignore[arg-type]
            r += 1
        r += 1
    book.close()
    return buf.getvalue()
