"""Handling steps of a demo complaint after its findings: escalation, nonconformity reports, claims,
the reply with its review, measures, verification and the follow-up visit."""

from __future__ import annotations

from decimal import Decimal

from docket.accounts.models import User
from docket.complaints import services as s
from docket.complaints.models import ComplaintIssue, Exemption, IssueState, Kind, Method, State
from docket.complaints.workflow import REVIEW_ROUTES

from .organisation import DEPT_NAME, LIMIT_DEPT_MANAGER, LIMIT_LEADERSHIP, LIMIT_OFFICE_MANAGER, LIMIT_QM
from .plans import IssuePlan
from .steps import Steps, long_date, png_photo
from .texts import (
    APPROVE_COMMENTS,
    ESCALATE,
    OPINIONS,
    RETURN_COMMENTS,
    REWORK,
    UNREACHABLE,
)


class Handling(Steps):
    def _forwarder_reply(self, outcome: str = "已答复投诉人") -> None:
        """Answer the government body or developer that forwarded the complaint (R-EXP-8), once."""
        if not self.p.forwarder or self.forwarder_answered:
            return
        self.forwarder_answered = True
        party = self.L.parties[self.p.forwarder].name
        self.side(
            1,
            24,
            s.forwarder_reply_record,
            actor=self.co.users["qm_info"],
            text=f"{party}：贵单位转办的投诉（{self.p.subject}）已由{self.kit.spec.name}核实处理，{outcome}。",
        )

    def _carry_out(self) -> None:
        """Measures, verification (with rework when planned) and the follow-up visit (R-HDL-10, 11)."""
        p, rng, users = self.p, self.rng, self.kit.users
        done = p.topic.done if p.topic else "各项整改措施已落实。"
        if len(p.issues) > 1:
            done = "来信所列各项问题的整改措施均已落实：" + "；".join(
                i.topic.done if i.topic else i.summary for i in p.issues
            )
        doer = self.handler()
        if not self.escalated and self.lead == "engineering" and rng.random() < 0.6:
            doer = users["eng_staff"]
        self.do(24, 120, s.measures_done, actor=doer, note=done)
        if p.photo and rng.random() < 0.5:
            actor = users["office_manager"] if self.escalated else self.sup(self.lead)
            self.side(
                0.5,
                4,
                s.attachment_add,
                actor=actor,
                upload=s.UploadInput(name="整改后照片.png", content=png_photo(rng)),
            )
        reworked = False
        verifier = users["office_manager"]
        if not self.escalated and len(p.issues) == 1 and rng.random() < 0.3:
            verifier = self.sup(self.lead)
        while self.state == State.VERIFYING:
            for iid, issue in zip(self.issue_ids, p.issues, strict=True):
                if self.state != State.VERIFYING:
                    break
                if not ComplaintIssue.objects.filter(pk=iid, state=IssueState.MEASURES_DONE).exists():
                    continue
                if p.rework and not reworked:
                    reworked = True
                    self.do(
                        4,
                        48,
                        s.issue_verify,
                        actor=verifier,
                        issue_id=iid,
                        passed=False,
                        note=rng.choice(REWORK),
                    )
                    self.do(24, 96, s.measures_done, actor=doer, note="返工完成：" + done)
                    break
                note = issue.topic.verify if issue.topic else "现场核查整改已落实，验证合格。"
                self.do(4, 48, s.issue_verify, actor=verifier, issue_id=iid, passed=True, note=note)
        if self.state == State.QM_VERIFYING:  # company-level or online: QM verifies too (seed 5.2.3.6)
            self.do(
                2,
                20,
                s.qm_verify,
                actor=self.co.users["qm"],
                decision="passed",
                note="品质部复核：管理处现场验证记录与整改结果一致，措施适宜、充分。",
            )
        self._follow_up()

    def _follow_up(self) -> None:
        p, rng = self.p, self.rng
        actor = self.front()
        if self.state != State.FOLLOW_UP and p.stop_at != self.state:
            return  # anonymous, unreachable or sensitive: exempted when verification passed (5.2.5.1 B, C)
        if rng.random() < 0.04:
            self.do(4, 72, s.follow_up_exempt, actor=actor, exemption=Exemption.UNREACHABLE, note=UNREACHABLE)
        else:
            score = rng.choices((5, 4, 3, 2, 1), (45, 30, 15, 7, 3))[0]
            if p.disagree:
                score = min(score, rng.choice((3, 4)))
            method = (
                "online"
                if p.method == Method.ONLINE
                else rng.choices(("phone", "visit", "survey"), (70, 20, 10))[0]
            )
            quality = rng.choice((None, None, 4, 5, 3)) if rng.random() < 0.5 else None
            # the seed's three points (5.2.5.3): the overall score colours each of them
            weights = (80, 18, 2) if score >= 4 else (30, 50, 20) if score == 3 else (10, 30, 60)
            points = [rng.choices(("satisfied", "basic", "unsatisfied"), weights)[0] for _ in range(3)]
            self.do(
                4,
                72,
                s.follow_up_record,
                actor=actor,
                method=method,
                satisfaction=score,
                opinion=rng.choice(OPINIONS[score]),
                quality_score=quality,
                process_rating=points[0],
                measures_rating=points[1],
                result_rating=points[2],
            )

    def _findings(self, issue: IssuePlan) -> tuple[str, str]:
        rng = self.rng
        if issue.fixed is not None:
            return issue.fixed
        t = issue.topic
        if t is None:
            raise ValueError("an issue without findings of its own comes from a topic")
        return rng.choice(t.findings).format(**issue.ctx), rng.choice(t.measures).format(**issue.ctx)

    def _negotiator(self) -> User:
        if self.escalated:
            return self.co.users["qm_info"]
        return self.kit.users["office_manager"] if self.rng.random() < 0.6 else self.kit.users["reception"]

    def _escalate(self) -> None:
        users = self.kit.users
        actor = (
            users["eng_manager"]
            if self.lead == "engineering" and self.rng.random() < 0.3
            else users["office_manager"]
        )
        self.do(2, 48, s.complaint_escalate, actor=actor, reason=self.rng.choice(ESCALATE))
        self.escalated = True

    def _ncr(self) -> None:
        p = self.p
        dept = DEPT_NAME[p.issues[0].dept]
        self.side(
            4,
            48,
            s.ncr_issue,
            actor=self.co.users["mgmt_rep"],
            nonconformity=f"{self.kit.spec.name}{dept}在“{p.issues[0].summary}”问题上未按程序及时处理，引发顾客投诉。",
            cause="日常巡检和交接制度执行不到位，部门间信息传递不及时，对业主诉求重视不够。",
            corrective_action="责任部门限期整改，管理处经理每周检查落实情况，整改结果报品质管理部。",
            preventive_action="修订相关作业指导书，将该项目纳入月度品质检查和员工培训。",
        )

    def _claim(self) -> None:
        p, rng, users = self.p, self.rng, self.kit.users
        topic = p.topic
        construction = bool(topic and topic.developer)
        claim = self.side(
            1,
            24,
            s.compensation_claim_record,
            actor=self.handler(),
            amount=p.claim,
            description=(topic.claim_text if topic else "财产损失")
            + f"，业主提供维修报价单（{p.claim}元）。",
            involves_construction_or_sales=construction,
        )
        amount = Decimal(p.claim)
        co = self.co.users
        if construction:
            actor = co["qm"] if self.escalated else users["office_manager"]
            self.side(
                2,
                48,
                s.compensation_escalate,
                actor=actor,
                claim_id=claim.id,
                to_developer=True,
                note="涉及工程质量问题，上报地产客户关系中心按保修程序处理。",
            )
            return
        if rng.random() < 0.1:
            actor = co["qm"] if self.escalated else users["office_manager"]
            self.side(
                2,
                48,
                s.compensation_decide,
                actor=actor,
                claim_id=claim.id,
                approve=False,
                note="经核实损失与物业服务无直接因果关系，不予赔偿，已向业主耐心解释。",
            )
            return
        if amount > LIMIT_LEADERSHIP:
            self.side(
                2,
                48,
                s.compensation_escalate,
                actor=co["leadership"],
                claim_id=claim.id,
                to_developer=False,
                note="金额超出公司审批权限，按公司重大业务审批流程报批。",
            )
            return
        if not self.escalated and amount <= LIMIT_DEPT_MANAGER and self.lead == "engineering":
            actor = users["eng_manager"]
        elif not self.escalated and amount <= LIMIT_OFFICE_MANAGER:
            actor = users["office_manager"]
        elif amount <= LIMIT_QM:
            actor = co["qm"]
        else:
            actor = co["leadership"]
        approved = amount if rng.random() < 0.7 else (amount * Decimal("0.8")).quantize(Decimal("1"))
        self.side(
            2,
            48,
            s.compensation_decide,
            actor=actor,
            claim_id=claim.id,
            approve=True,
            approved_amount=approved,
            note="按实际损失核定，同意赔偿。" if approved == amount else "按维修市场价核定，同意部分赔偿。",
        )

    def _reply_body(self, revised: bool, again: bool) -> str:
        p, rng = self.p, self.rng
        kit = self.kit
        if p.anonymous:
            who = "业主"
        elif p.people > 1:
            who = f"{self.who.name}等各位业主"
        else:
            who = self.who.polite
        opening = {
            Kind.SUGGESTION: "您好！感谢您对小区管理提出的宝贵建议。",
            Kind.INQUIRY: "您好！感谢您的咨询。",
        }.get(p.kind, f"您好！首先感谢您对{kit.spec.name}工作的关注与监督，对给您带来的困扰我们深表歉意。")
        lines = [f"尊敬的{who}：", opening]
        if len(p.issues) == 1:
            findings, measures = self.found[self.issue_ids[0]]
            lines.append(f"经现场核查，{findings}针对上述情况，我们将{measures}")
        else:
            lines.append(f"针对来信反映的{len(p.issues)}个问题，逐条答复如下：")
            numerals = "一二三四五六七"
            for n, (iid, i) in enumerate(zip(self.issue_ids, p.issues, strict=True)):
                findings, measures = self.found[iid]
                lines.append(f"{numerals[n]}、关于“{i.summary}”：{findings}处理措施：{measures}")
        if p.developer:
            lines.append(
                "其中涉及开发建设遗留的部分，已转地产客户关系中心协调处理，我们将持续跟进并及时向您通报进展。"
            )
        if again:
            lines.append("此前答复未能让您满意，公司品质管理部已接手处理，并重新核定了上述方案。")
        if revised:
            lines.append(
                f"上述整改措施将于{rng.randint(3, 10)}个工作日内全部落实，届时我们将主动与您联系确认。"
            )
        sender = self.co.company.name + "品质管理部" if self.escalated else kit.spec.name
        lines.append(f"如您对答复内容有任何疑问，欢迎致电{kit.spec.name}客服中心（{kit.spec.phone}）。")
        lines.append(f"{sender}\n{long_date(self.t)}")
        return "\n".join(lines)

    def _reply(self, again: bool = False) -> None:
        p, rng = self.p, self.rng
        h = self.handler()
        self._advance(1, 8)  # first move the clock, so the letter is dated the day it is drafted
        self.do(0, 0, s.reply_draft_save, actor=h, body=self._reply_body(False, again))
        stages = REVIEW_ROUTES[p.method]
        reviewer = {"qm": self.co.users["qm"], "general_office": self.co.users["general_office"]}
        if not stages:
            self.do(0.2, 4, s.reply_send, actor=h)
            self.replied = True
            self._forwarder_reply()
            return
        self.do(0.2, 4, s.reply_submit, actor=h)
        if p.return_stage and not again:
            for stage in stages:
                if stage == p.return_stage:
                    self.do(
                        0.5,
                        4.5,
                        s.reply_review_return,
                        actor=reviewer[stage],
                        comment=rng.choice(RETURN_COMMENTS[stage]),
                    )
                    break
                self.do(
                    0.5,
                    4.5,
                    s.reply_review_approve,
                    actor=reviewer[stage],
                    comment=rng.choice(APPROVE_COMMENTS[stage]),
                )
            self._advance(1, 12)
            self.do(0, 0, s.reply_draft_save, actor=h, body=self._reply_body(True, again))
            self.do(0.2, 4, s.reply_submit, actor=h)
        for stage in stages:
            self.do(
                0.5,
                4.5,
                s.reply_review_approve,
                actor=reviewer[stage],
                comment=rng.choice(APPROVE_COMMENTS[stage]),
            )
        self.do(0.2, 4, s.reply_send, actor=self.front())
        self.replied = True
        self._forwarder_reply()
