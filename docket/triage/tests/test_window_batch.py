"""The detector's window read once per office for a batch of classifications (triage.window_batch,
docs/decisions.md "windowbatch"): each complaint's window must be exactly what its own statements give —
its span, its categories, itself left out, the newest MAX_CANDIDATES — and the statements run once per office,
not once per complaint; where the id cap could bind, each complaint reads its own window as before."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from docket.complaints.models import Complaint
from docket.complaints.services import IssueInput
from docket.core import clock
from docket.org.models import Office
from docket.triage import services as triage

pytestmark = pytest.mark.django_db

SUBJECTS = ["1号楼2号电梯困人", "地下车库渗水", "2号楼门禁失灵", "小区绿化带垃圾堆积"]


@pytest.fixture
def filed(org, complaint_factory):
    """Complaints of two offices over 70 days: issues in 电梯, in 地产遗留, in both, or unclassified."""
    cats = [
        [org.categories["电梯"].id],
        [org.categories["地产遗留"].id],
        [org.categories["电梯"].id, org.categories["地产遗留"].id],
        [None],
    ]
    now = clock.now()
    made = []
    for n in range(36):
        kit = org.a if n % 4 else org.b
        subject = SUBJECTS[n % len(SUBJECTS)]
        c = complaint_factory(
            kit=kit,
            subject=subject,
            description=f"{subject}，第{n}次反映。",
            complainant_phone=f"1380000{n:04d}",
            issues=[IssueInput(summary=subject, category_id=cat) for cat in cats[n % len(cats)]],
        )
        # spread over 70 days, distinct times (so "newest first" is one order)
        Complaint.objects.filter(pk=c.pk).update(received_at=now - timedelta(days=70 * n / 36, minutes=n))
        made.append(c.pk)
    return made


def _per_complaint(ids):
    """Each complaint's window as its own statements read it (no batch held)."""
    out = {}
    for c in (r.complaint for r in triage.rules_rows(ids).values()):
        doc = triage._doc_of(c)
        office = Office(id=c.office_id, company_id=c.company_id)
        out[c.pk] = [
            d.key for d in triage._window_docs(office, doc.received_at, 30, None, c.pk, doc.categories)
        ]
    return out


def _batched(ids):
    rows = {pk: r.complaint for pk, r in triage.rules_rows(ids).items()}
    with triage.window_batch(rows.values(), lambda _company: 30):
        held = triage._batch.held
        with CaptureQueriesContext(connection) as read:
            out = {}
            for c in rows.values():
                doc = triage._doc_of(c)
                office = Office(id=c.office_id, company_id=c.company_id)
                out[c.pk] = [
                    d.key
                    for d in triage._window_docs(office, doc.received_at, 30, None, c.pk, doc.categories)
                ]
    return out, held, len(read)


def test_each_window_is_what_its_own_statements_give(filed):
    batch = filed[::2] + filed[1:9]  # both offices, every category mix, old and new
    expected = _per_complaint(batch)
    got, held, statements = _batched(batch)
    assert len(held) == 2  # both offices held
    assert got == expected
    assert statements == 0  # no window statement per complaint
    assert sum(len(v) for v in got.values()) > 40  # the windows hold something to compare


def test_the_newest_candidates_cap_is_kept(filed, monkeypatch):
    monkeypatch.setattr(triage, "MAX_CANDIDATES", 3)
    monkeypatch.setattr(triage._system_window_rows, "_plans", {})  # plans compiled with the old cap
    expected = _per_complaint(filed)
    got, held, _n = _batched(filed)
    assert held and got == expected
    assert max(len(v) for v in got.values()) == 3


def test_where_the_id_cap_could_bind_each_complaint_reads_its_own_window(filed, monkeypatch):
    monkeypatch.setattr(triage, "MAX_WINDOW", 5)
    monkeypatch.setattr(triage._system_window_rows, "_plans", {})
    expected = _per_complaint(filed)
    got, held, statements = _batched(filed)
    assert held == {} and got == expected and statements > 0


def test_an_office_with_one_complaint_in_the_batch_reads_as_before(filed):
    one = [filed[0]]  # office b
    got, held, statements = _batched(one)
    assert held == {} and statements > 0 and got == _per_complaint(one)
