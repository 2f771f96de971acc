"""One demo complaint's history: registration, then the plan's steps through the real services."""

from __future__ import annotations

from datetime import timedelta

from docket.complaints import services as s
from docket.complaints.models import Complaint, Method, Severity
from docket.core import clock

from .handling import Handling
from .organisation import DEPT_NAME, OFFICE_DEPTS
from .steps import Reached, png_photo
from .texts import (
    AGREE,
    DEVELOPER_ANSWERS,
    DISAGREE,
    EXPLANATIONS,
    NEGOTIATE,
    NOTES,
    PAUSE,
    REFUSE,
    TRANSFER,
    UNCLOSED,
    WITHDRAW,
)


class Life(Handling):
    """One complaint's history: registration, then the plan's steps through the services, each at its own
    past moment, stopping at the plan's state."""

    def run(self) -> None:
        p = self.p
        data = self._input()
        with clock.travel(self.t):
            c = s.complaint_register(
                actor=self.registrar(), data=data, close_on_spot_note=p.spot_note or None
            ).complaint
        self.cid, self.state = c.id, c.state
        self.issue_ids = list(c.issues.order_by("seq").values_list("id", flat=True))
        if p.spot_note:
            return
        if p.severity != Severity.NORMAL:
            self._classify_record()
        try:
            self._path()
            if p.stop_at is not None and self.state != p.stop_at:
                raise RuntimeError(f"demo plan for {p.stop_at} ended in {self.state}")
        except Reached:
            pass
        if p.ending == "withdraw":
            self._forwarder_reply("投诉人已申请撤回投诉")
            actor = self.co.users["qm_info"] if self.escalated else self.kit.users["reception"]
            self.side(2, 72, s.complaint_withdraw, actor=actor, reason=self.rng.choice(WITHDRAW))
        elif p.ending == "unclosed":
            analysis, mitigation = self.rng.choice(UNCLOSED)
            if p.special == "letter7":
                analysis = "来信所列维修基金利息、开发与物业分离等问题属开发商及政府主管部门职权，超出物业公司处理能力。"
            actor = (
                (self.co.users["leadership"] if self.rng.random() < 0.5 else self.co.users["qm"])
                if self.escalated
                else self.kit.users["office_manager"]
            )
            self.side(
                48,
                360,
                s.complaint_close_unclosed,
                actor=actor,
                analysis=analysis,
                mitigation=mitigation,
                raw=True,
            )
            self._forwarder_reply("经专项分析属超出公司处理能力的问题，已作未关闭处理并持续跟进")

    def _classify_record(self) -> None:
        """Hot/major with its reason (R-ESC-3), then the report to the group within 4 hours (hot) or at once
        (major) (R-ESC-1/2)."""
        p, qm = self.p, self.co.users["qm"]
        current = Complaint.objects.filter(pk=self.cid).values_list("severity", flat=True).get()
        if current == Severity.NORMAL or (current == Severity.HOT and p.severity == Severity.MAJOR):
            # Raised by hand unless an automatic rule got there first.
            self.side(0.2, 1.5, s.severity_raise, actor=qm, severity=p.severity, reason=p.severity_reason)
        major = p.severity == Severity.MAJOR
        self.side(
            0.1 if major else 0.5,
            0.5 if major else 3.5,
            s.group_report_record,
            actor=qm,
            content=f"{self.kit.spec.name}：{p.subject}（{p.people}人）。",
            cause=f"{p.severity_reason}；" + "；".join(i.summary for i in p.issues[:3]) + "。",
            handling="已派责任部门现场核查，管理处经理牵头处理，品质管理部跟进。",
            difficulties="部分问题涉及收费政策或地产遗留，需协调开发商。" if p.developer or major else "",
            help_needed="请集团物业管理部协调地产客户关系中心。" if p.developer else "",
        )

    def _input(self) -> s.ComplaintInput:
        p, rng = self.p, self.rng
        who = self.who
        due = None
        ref = ""
        if p.forwarder:
            stamp = clock.to_local(p.arrival).strftime("%Y%m%d")
            ref = {
                "developer": f"KF-{stamp}-{rng.randint(100, 999)}",
                "hotline": f"12345-{stamp}-{rng.randint(1000, 9999)}",
                "petition": f"信访转字〔{stamp[:4]}〕{rng.randint(10, 300)}号",
                "government": f"住建物业函〔{stamp[:4]}〕{rng.randint(10, 99)}号",
            }[p.forwarder]
            due = p.arrival + timedelta(days={"developer": 3, "hotline": 2}.get(p.forwarder, 15))
        attachments = []
        if p.photo:
            attachments.append(s.UploadInput(name="现场照片.png", content=png_photo(rng)))
        people = p.people
        return s.ComplaintInput(
            office_id=self.kit.office.id,
            channel=p.channel,
            method=p.method,
            subject=p.subject,
            description=p.description,
            kind=p.kind,
            anonymous=p.anonymous,
            complainant_name=""
            if p.anonymous
            else (who.polite if people == 1 else f"{who.name}等{people}人"),
            complainant_phone="" if p.anonymous else who.phone,
            complainant_address="" if p.anonymous else who.room,
            room_id=None if p.anonymous else who.room_id,
            location=p.location,
            people_count=people,
            demand=p.demand,
            issues=[
                s.IssueInput(summary=i.summary, category_id=self.co.categories[i.category].id)
                for i in p.issues
            ],
            cosigners=[s.CoSignerInput(name=r.name, room=r.room, phone=r.phone) for r in p.cosigners],
            attachments=attachments,
            legal_or_media_risk=p.risk,
            media_exposed=p.media,
            compensation_claimed=bool(p.claim),
            home_return_requested=p.home_return,
            sensitive=p.sensitive,
            forwarded_by_id=self.L.parties[p.forwarder].id if p.forwarder else None,
            forwarder_ref=ref,
            forwarder_due_at=due,
        )

    def _path(self) -> None:
        p, rng, users = self.p, self.rng, self.kit.users
        multi = len(p.issues) > 1
        self.lead = "customer_service" if multi else p.issues[0].dept
        wrong = rng.choice([k for k, _n, _p in OFFICE_DEPTS if k != self.lead])
        mapping = {
            iid: self.dept_id(i.dept)
            for iid, i in zip(self.issue_ids, p.issues, strict=True)
            if i.dept != self.lead
        }

        # hand-over (R-HDL-1, R-EXP-6)
        if p.refuse:
            self.do(0.1, 1, s.complaint_assign, actor=self.assigner(), department_id=self.dept_id(wrong))
            self.do(0.2, 2, s.complaint_refuse, actor=self.sup(wrong), reason=REFUSE)
        first = wrong if p.transfer else self.lead
        responsible = self.sup(first).id if rng.random() < 0.5 else None
        self.do(
            0.1,
            1.5,
            s.complaint_assign,
            actor=self.assigner(),
            department_id=self.dept_id(first),
            responsible_id=responsible,
            issue_departments=mapping or None,
        )
        if p.method == Method.ONLINE:
            self.side(
                0.1,
                2.5,
                s.acknowledge_send,
                actor=self.front(),
                text=f"您好，您反映的问题已收到，已转{self.kit.spec.name}核实处理，今天内给您具体答复。感谢您的监督！",
            )
        if p.transfer:
            self.do(
                0.2,
                3,
                s.complaint_transfer,
                actor=self.sup(wrong),
                department_id=self.dept_id(self.lead),
                reason=TRANSFER.format(dept=DEPT_NAME[self.lead]),
            )
        acceptor = (
            users["eng_manager"] if self.lead == "engineering" and rng.random() < 0.2 else self.sup(self.lead)
        )
        self.do(0.1, 2, s.complaint_accept, actor=acceptor)
        if Complaint.objects.get(pk=self.cid).contactable and rng.random() < 0.93:
            # The department contacts the complainant at once, apologising first (document 5 §4.3).
            self.side(
                0.05,
                0.9 if rng.random() < 0.85 else 3,
                s.first_contact_record,
                actor=acceptor,
                method="phone" if rng.random() < 0.8 else "visit",
                summary="已联系业主，首先致歉，说明已安排专业人员现场了解，并约定答复时间。",
                apologised=not p.unreasonable,
                no_apology_reason="无理投诉：已耐心解释，并感谢业主对工作的支持。",
            )
        if p.pause:
            # Waiting on the owner: the clock stops with a reason and a resume date (R-EXP-5).
            self._advance(0.5, 4)
            back = self.t + timedelta(days=rng.uniform(1.5, 4))
            self.side(0, 0, s.clock_pause, actor=self.handler(), reason=rng.choice(PAUSE), resume_on=back)
            self.side(30, 80, s.clock_resume, actor=self.handler(), raw=True)
        if p.note:
            self.side(0.2, 3, s.note_add, actor=self.handler(), text=rng.choice(NOTES))
        if p.escalate == "early":
            self._escalate()
        if p.ncr and self.escalated:
            self._ncr()

        # investigation (R-HDL-2)
        if p.unreasonable:
            self.do(1, 24, s.explanation_record, actor=self.handler(), explanation=EXPLANATIONS[0])
        for iid, issue in zip(self.issue_ids, p.issues, strict=True):
            actor = self.handler()
            if not self.escalated:
                actor = (
                    users["eng_staff"]
                    if issue.dept == "engineering" and rng.random() < 0.3
                    else self.sup(issue.dept)
                )
            findings, measures = self._findings(issue)
            self.do(
                1 if not self.found else 0.2,
                20 if not self.found else 6,
                s.issue_findings_record,
                actor=actor,
                issue_id=iid,
                findings=findings,
                measures=measures,
            )
            self.found[iid] = (findings, measures)
        if p.claim:
            self._claim()
        if p.ncr and not self.escalated:
            self._ncr()
        if p.developer:
            reason = (
                "业主提出退（换）房要求，按程序反馈地产客户关系中心。"
                if p.home_return
                else "经现场核查属地产遗留/保修期内问题，转地产客户关系中心协调处理并跟进。"
            )
            self.do(
                1,
                24,
                s.developer_forward,
                actor=self.handler(),
                party_id=self.L.parties["developer"].id,
                reason=reason,
            )
            self.do(
                48,
                240,
                s.developer_answer_record,
                raw=True,
                actor=self.front() if rng.random() < 0.5 else self.handler(),
                answer=rng.choice(DEVELOPER_ANSWERS).format(n=rng.randint(3, 10)),
                their_ref=f"KF-{rng.randint(10000, 99999)}",
            )

        # reply and the complainant's answer (R-HDL-3, R-HDL-4)
        self._reply()
        if p.disagree:
            self.do(4, 48, s.complainant_disagree, actor=self.front(), reason=rng.choice(DISAGREE))
            for r in range(p.disagree - 1 if p.escalate == "late" else p.disagree):
                self.side(
                    12, 72, s.negotiation_round_record, actor=self._negotiator(), summary=NEGOTIATE[r % 3]
                )
            if p.escalate == "late":
                self._escalate()
                if p.ncr:
                    self._ncr()
                self._reply(again=True)
        self.do(4, 48, s.complainant_agree, actor=self.front(), note=rng.choice(AGREE))
        self._carry_out()
