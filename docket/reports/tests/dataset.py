"""A small fixed history built through the real services, with figures computed by hand (the tests that
use it state each expectation and why). Times are Beijing time; November 2026 has no holiday.

Office A (朝阳园), November 2026:
- c1  Mon 2 Nov 09:00 phone, one issue 电梯 (sub-category of 设施设备); replied at once; follow-up Mon 13:00: satisfaction 5,
      quality 4 → closed after 4 h.
- c2  Tue 3 Nov 09:00 phone, two issues both 电梯 (counted once); raised hot; follow-up Thu 5 Nov 09:00:
      satisfaction 3, quality 2 → closed after 48 h.
- c3  Wed 4 Nov 10:00 withdrawn at once.
- c4  Mon 2 Nov 09:00, one issue 地产遗留 (top-level), reply sent Tue 3 Nov 10:00: after the same-day deadline (Mon 17:30) → reply missed.
- c5  Mon 2 Nov 09:00, clock paused 10:00 waiting on the owner until Wed 4 Nov 09:00, resumed then; reply
      sent Wed 11:00: late by the original deadline, on time by the resumed one → reply met.
Office A, October 2026: c7 Thu 15 Oct registered (month-on-month). November 2025: c8 (year-on-year).
Office B (丽雅苑), November 2026: c6 Mon 2 Nov 09:00 closed at once, satisfaction 5.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import time_machine

from conftest import make_complaint
from docket.complaints import services as s
from docket.complaints.models import ComplaintIssue
from docket.complaints.services import IssueInput
from docket.complaints.tests.helpers import drive_to
from docket.sla.calendar import SHANGHAI


def at(y, m, d, hh=9, mm=0):
    return time_machine.travel(datetime(y, m, d, hh, mm, tzinfo=SHANGHAI), tick=False)


@dataclass
class Data:
    ids: dict[str, int]


def _reply(org, kit, cid):
    u = kit.users
    for issue in ComplaintIssue.objects.filter(complaint_id=cid):
        s.issue_findings_record(
            actor=u["eng_supervisor"], complaint_id=cid, issue_id=issue.id, findings="属实", measures="维修"
        )
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=cid, body="您好，经现场查看……")
    s.reply_send(actor=u["reception"], complaint_id=cid)


def build(org) -> Data:
    a, b = org.a, org.b
    legacy = org.categories["地产遗留"].id
    ids = {}
    with at(2026, 11, 2):
        ids["c1"] = drive_to(org, "follow_up").id
        c4 = make_complaint(org, issues=[IssueInput(summary="地下室渗水", category_id=legacy)])
        s.complaint_assign(
            actor=a.users["reception"], complaint_id=c4.id, department_id=a.depts["engineering"].id
        )
        s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c4.id)
        ids["c4"] = c4.id
        ids["c5"] = drive_to(org, "investigating").id
        ids["c6"] = drive_to(org, "closed", kit=b).id
        # The department contacts each complainant at once (document 5 §4.3, issue 15): the first-contact
        # deadlines are met and the figures below stay those of the reply, verification and follow-up.
        for key in ("c4", "c5"):
            s.first_contact_record(
                actor=a.users["eng_supervisor"],
                complaint_id=ids[key],
                method="phone",
                summary="已致电业主致歉并说明处理安排",
                apologised=True,
            )
    with at(2026, 11, 2, 10):
        s.clock_pause(
            actor=a.users["eng_supervisor"],
            complaint_id=ids["c5"],
            reason="等待业主提供照片",
            resume_on=datetime(2026, 11, 4, 9, 0, tzinfo=SHANGHAI),
        )
    with at(2026, 11, 2, 13):
        s.follow_up_record(
            actor=a.users["reception"],
            complaint_id=ids["c1"],
            method="phone",
            satisfaction=5,
            quality_score=4,
            process_rating="satisfied",
            measures_rating="satisfied",
            result_rating="satisfied",
        )
    with at(2026, 11, 3):
        ids["c2"] = drive_to(org, "follow_up", issues=2).id
        s.severity_raise(
            actor=org.users["qm"], complaint_id=ids["c2"], severity="hot", reason="业主表示将联系媒体"
        )
    with at(2026, 11, 3, 10):
        _reply(org, a, ids["c4"])
    with at(2026, 11, 4, 9):
        s.clock_resume(actor=a.users["eng_supervisor"], complaint_id=ids["c5"])
    with at(2026, 11, 4, 10):
        ids["c3"] = drive_to(org, "withdrawn").id
    with at(2026, 11, 4, 11):
        _reply(org, a, ids["c5"])
    with at(2026, 11, 5):
        s.follow_up_record(
            actor=a.users["reception"],
            complaint_id=ids["c2"],
            method="visit",
            satisfaction=3,
            quality_score=2,
            process_rating="satisfied",
            measures_rating="basic",
            result_rating="unsatisfied",
        )
    with at(2026, 10, 15):
        ids["c7"] = drive_to(org, "registered").id
    with at(2025, 11, 10):
        ids["c8"] = drive_to(org, "registered").id
    return Data(ids=ids)


NOW = datetime(2026, 11, 6, 12, 0, tzinfo=SHANGHAI)
NOV = dict(date_from=datetime(2026, 11, 1).date(), date_to=datetime(2026, 11, 30).date())
_ = timedelta
