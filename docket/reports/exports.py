"""Excel export of any filtered complaint list (R-EXP-14). xlsxwriter in constant-memory mode with its row
data in temporary files (not in memory), rows read from the database in chunks, the finished file written
to a temporary file and streamed from there: memory stays flat however long the list (bench.analysis
measures 100 000 rows).

User text never becomes a formula or a link (formula/CSV injection, OWASP): the workbook is opened with
`strings_to_formulas`, `strings_to_urls` and `strings_to_numbers` off, every text is written with
`write_string`, and a text starting with = + - @ TAB or CR gets a leading apostrophe, so it stays text
even after the sheet is saved as CSV and opened again."""

from __future__ import annotations

import tempfile
from typing import IO

import xlsxwriter

from docket.core import clock

# Leading characters that make a spreadsheet (Excel, WPS, LibreOffice) read a cell as a formula or command.
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
BOOK_OPTIONS = {
    "constant_memory": True,
    "in_memory": False,  # each sheet's rows go to a temporary file as they are written
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def safe_text(value) -> str:
    """A text for a cell: with a leading apostrophe when a spreadsheet would take it for a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEAD) else text


COLUMNS = [
    ("回执编号", 20, lambda c: c.receipt_no),
    ("管理处", 14, lambda c: c.office.name),
    ("类别", 6, lambda c: c.get_kind_display()),
    ("渠道", 10, lambda c: c.get_channel_display()),
    ("方式", 8, lambda c: c.get_method_display()),
    ("主题", 40, lambda c: c.subject),
    ("状态", 10, lambda c: c.get_state_display()),
    ("级别", 6, lambda c: c.get_severity_display()),
    ("投诉人数", 8, lambda c: c.people_count),
    ("当前处理部门", 14, lambda c: c.holder_department.name if c.holder_department_id else ""),
    ("受理时间", 17, lambda c: clock.to_local(c.received_at).replace(tzinfo=None)),
    ("最近到期", 17, lambda c: clock.to_local(c.next_due_at).replace(tzinfo=None) if c.next_due_at else None),
    ("结案时间", 17, lambda c: clock.to_local(c.closed_at).replace(tzinfo=None) if c.closed_at else None),
    ("满意度", 6, lambda c: c.satisfaction),
]


def complaints_xlsx(queryset) -> bytes:
    """`complaints_xlsx_file` read into memory (small lists, tests)."""
    with complaints_xlsx_file(queryset) as f:
        return f.read()


def complaints_xlsx_file(queryset) -> IO[bytes]:
    """The rows of `queryset` (already restricted to what the viewer may see) as an .xlsx file: an open
    temporary file at its start, removed when closed. Personal data (names, phones) is not exported."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the caller open (FileResponse closes it)
    _write_book(queryset, out)
    out.seek(0)
    return out


def _write_book(queryset, out: IO[bytes]) -> None:
    book = xlsxwriter.Workbook(out, BOOK_OPTIONS)
    sheet = book.add_worksheet("投诉")
    head = book.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, (title, width, _get) in enumerate(COLUMNS):
        sheet.set_column(col, col, width, when if title.endswith("时间") or title == "最近到期" else None)
        sheet.write_string(0, col, title, head)
    row = 1
    for c in queryset.select_related("office", "holder_department").iterator(chunk_size=2000):
        for col, (_title, _w, get) in enumerate(COLUMNS):
            value = get(c)
            if value is None:
                continue
            if hasattr(value, "year"):
                sheet.write_datetime(row, col, value, when)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row, col, value)
            else:
                sheet.write_string(row, col, safe_text(value))
        row += 1
    sheet.freeze_panes(1, 0)
    book.close()
