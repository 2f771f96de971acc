"""Every portal page one owner can reach — the office page, the poster, the filing form, the receipt and its
PDF, the phone's list, each tracking page, the verification — crawled link by link: no other owner's name
or phone, no staff name or phone, no internal note text appears anywhere (R-EXP-2, issue 11)."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest

from docket.complaints import services as s
from docket.complaints.models import Complaint, State
from docket.complaints.tests.helpers import drive_to
from docket.core.tests.test_pdf import png_ink

from .test_filing import PHONE, form, prove

pytestmark = pytest.mark.django_db

NOTE = "内部备注：该业主曾多次投诉，处理时注意态度ZX81"
OTHER_NAME, OTHER_PHONE = "欧阳娜娜", "13911112222"


def _links(html: str, base: str) -> set[str]:
    found = set(re.findall(r'(?:href|action)="([^"#]+)"', html))
    out = set()
    for href in found:
        url = urljoin(base, href.replace("&amp;", "&"))
        parsed = urlparse(url)
        if parsed.netloc in ("", "testserver") and parsed.path.startswith("/p/"):
            out.add(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return out


def test_no_other_owner_staff_or_internal_note_on_any_page(client, org):
    # the owner's complaint recorded by staff, replied, with an internal note and staff on its record
    mine = drive_to(org, State.REPLIED, complainant_phone=PHONE, complainant_name="王")
    s.note_add(actor=org.a.users["reception"], complaint_id=mine.id, text=NOTE)
    # another owner in the same office and building
    other = drive_to(org, State.REPLIED, complainant_phone=OTHER_PHONE, complainant_name=OTHER_NAME)
    s.note_add(actor=org.a.users["reception"], complaint_id=other.id, text=NOTE + "（另一位）")
    for u in org.a.users.values():
        u.phone = "13700007777"
        u.save(update_fields=["phone"])

    # the owner files through the portal with a proven phone, then browses from the office page
    prove(client)
    r = client.post(f"/p/o/{org.a.office.code}/file/", form(org))
    assert r.status_code == 302
    filed = Complaint.objects.get(method="online")
    s.note_add(actor=org.a.users["reception"], complaint_id=filed.id, text=NOTE)

    forbidden = [OTHER_NAME, OTHER_PHONE, "139****2222", NOTE, "ZX81", "13700007777", "137****7777"]
    forbidden += [u.display_name for u in org.a.users.values()]
    forbidden += [u.display_name for u in org.users.values()]
    forbidden += [other.receipt_no, other.check_code, mine.check_code]

    start = [f"/p/o/{org.a.office.code}/", r["Location"], "/p/phone/list/", "/p/verify/", "/p/track/"]
    seen: set[str] = set()
    queue = list(start)
    pages: dict[str, str] = {}
    while queue:
        path = queue.pop()
        if path in seen or len(seen) > 80:
            continue
        seen.add(path)
        resp = client.get(path)
        if resp.status_code in (301, 302):
            queue.append(resp["Location"])
            continue
        if resp.status_code == 405:  # a POST-only form action (answer, chase): nothing to read
            continue
        assert resp.status_code == 200, path
        if resp["Content-Type"].startswith("application/pdf"):
            text, _ink = png_ink(resp.content)
            pages[path] = text
            continue
        html = resp.content.decode()
        pages[path] = html
        queue.extend(_links(html, path) - seen)

    # and the answers to the owner's POSTs: a refused filing, a code request, a chase, a wrong receipt code
    posts = [
        (f"/p/o/{org.a.office.code}/file/", form(org, room="9999")),
        ("/p/phone/", {"action": "send", "phone": PHONE}),
        (f"/p/track/{mine.receipt_no}/chase/", {"text": "请尽快处理"}),
        ("/p/track/", {"receipt_no": "ZZ-20260101-0001", "code": "WRONG1"}),
    ]
    for path, data in posts:
        resp = client.post(path, data, follow=True)
        pages[f"POST {path}"] = resp.content.decode()
    assert "在本小区找不到该房屋" in pages[f"POST /p/o/{org.a.office.code}/file/"]
    assert "已催办" in pages[f"POST /p/track/{mine.receipt_no}/chase/"]

    # every kind of page was reached
    for needed in (
        f"/p/o/{org.a.office.code}/",
        f"/p/o/{org.a.office.code}/poster/",
        f"/p/o/{org.a.office.code}/poster.pdf",
        f"/p/r/{filed.receipt_no}/",
        f"/p/r/{filed.receipt_no}/receipt.pdf",
        "/p/phone/list/",
        f"/p/track/{filed.receipt_no}/",
        f"/p/track/{mine.receipt_no}/",
    ):
        assert needed in pages, (needed, sorted(pages))
    # the owner's own data is there (the crawl saw real content) …
    assert "您好，感谢您的反映" in pages[f"/p/track/{mine.receipt_no}/"]
    assert filed.check_code in pages[f"/p/r/{filed.receipt_no}/"]
    # … and nobody else's, no staff and no internal note anywhere
    for path, text in pages.items():
        for word in forbidden:
            assert word not in text, (path, word)
