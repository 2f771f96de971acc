"""Test helpers: drive a complaint to any state through the real services, call any workflow action
through its service with sensible inputs, snapshot a complaint's whole file, and a module-wide "world"
(the conftest organisation plus one complaint per state) built once per test module.

The world is built inside a transaction that stays open for the whole module and is rolled back at
its end; every test runs in a savepoint inside it (pytest-django's `db`), so tests may change the
world freely and stay fast. A test module uses it with `world, world_data = helpers.world,
helpers.world_data`. The world's organisation is conftest's committed one (`shared_org`), so a module may
also use conftest's `org` fixture: both name the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings

from conftest import OfficeKit, Org, make_complaint, shared_org
from docket.accounts.access import forget
from docket.accounts.models import Role, User
from docket.accounts.services import role_grant
from docket.complaints import services as s
from docket.complaints import workflow
from docket.complaints.models import (
    Attachment,
    Channel,
    CompensationClaim,
    Complaint,
    ComplaintEvent,
    ComplaintIssue,
    CorrectiveAction,
    CoSigner,
    DeveloperForward,
    FollowUp,
    IssueState,
    Method,
    NonconformityReport,
    Obligation,
    OwnerRating,
    ReceiptCounter,
    Reply,
    ReplyReview,
    SecondReview,
    Severity,
    State,
)
from docket.complaints.services import IssueInput, UploadInput
from docket.core import clock
from docket.core.errors import DomainError
from docket.core.testing import images
from docket.escalation import services as esc
from docket.org.models import ExternalParty

ROLES: list[str] = list(Role.values)

PNG, JPEG = images.PNG, images.JPEG  # real tiny images: attachments are decoded and checked

# action name in workflow.ACTIONS → the service that performs it (services/__init__.py)
SERVICE: dict[str, Callable[..., Any]] = {
    "close_on_spot": s.complaint_close_on_spot,
    "assign": s.complaint_assign,
    "accept": s.complaint_accept,
    "office_call_record": s.office_call_record,
    "transfer": s.complaint_transfer,
    "refuse": s.complaint_refuse,
    "issue_findings_record": s.issue_findings_record,
    "forward_to_developer": s.developer_forward,
    "developer_answer_record": s.developer_answer_record,
    "explanation_record": s.explanation_record,
    "reply_draft_save": s.reply_draft_save,
    "reply_submit": s.reply_submit,
    "reply_review_approve": s.reply_review_approve,
    "reply_review_return": s.reply_review_return,
    "reply_send": s.reply_send,
    "complainant_agree": s.complainant_agree,
    "complainant_disagree": s.complainant_disagree,
    "negotiation_round_record": s.negotiation_round_record,
    "measures_done": s.measures_done,
    "issue_verify": s.issue_verify,
    "follow_up_record": s.follow_up_record,
    "follow_up_attempt": s.follow_up_attempt_record,
    "follow_up_exempt": s.follow_up_exempt,
    "escalate_to_qm": s.complaint_escalate,
    "close_unclosed": s.complaint_close_unclosed,
    "withdraw": s.complaint_withdraw,
    "acknowledge_send": s.acknowledge_send,
    "clock_pause": s.clock_pause,
    "clock_resume": s.clock_resume,
    "forwarder_reply_record": s.forwarder_reply_record,
    "severity_raise": s.severity_raise,
    "group_report_record": s.group_report_record,
    "ncr_issue": s.ncr_issue,
    "compensation_claim_record": s.compensation_claim_record,
    "compensation_decide": s.compensation_decide,
    "compensation_escalate": s.compensation_escalate,
    "note_add": s.note_add,
    "chase_record": s.chase_record,
    "complainant_correct": s.complainant_details_correct,
    "attachment_add": s.attachment_add,
    # escalation (issue 12)
    "risk_facts_record": esc.risk_facts_record,
    "fault_record": esc.fault_record,
    "major_incident_record": esc.major_incident_record,
    "authority_report_record": esc.authority_report_record,
    "closing_report_record": esc.closing_report_record,
    # The seed's procedure (issue 15).
    "first_contact_record": s.first_contact_record,
    "qm_verify": s.qm_verify,
    "progress_update_send": s.progress_update_send,
    "unclosed_conclude": s.unclosed_conclude,
    "leadership_opinion_request": s.leadership_opinion_request,
    "leadership_opinion_record": s.leadership_opinion_record,
    # portal answers (issue 11)
    "second_review_decide": s.second_review_decide,
    "reply_time_agree": s.reply_time_agree,
    # seed part 2 (issue 15)
    "compensation_outcome_record": s.compensation_outcome_record,
    "ncr_draft": s.ncr_draft,
    "ncr_sign": s.ncr_sign,
    "capa_assign": s.capa_assign,
    "capa_done": s.capa_done,
    "capa_verify": s.capa_verify,
    "ncr_close": s.ncr_close,
    # seed3 (issue 15, R-INT-5)
    "issue_answer_submit": s.issue_answer_submit,
    "issue_answer_review": s.issue_answer_review,
    "issue_answer_send": s.issue_answer_send,
    "issue_forward_to_developer": s.issue_forward_to_developer,
    "issue_developer_answer_record": s.issue_developer_answer_record,
}


# --- users ---------------------------------------------------------------------------------------


def user_for(org: Org, role: str, kit: OfficeKit | None = None) -> User:
    """The conftest user holding `role` (department roles: the engineering department of `kit`)."""
    kit = kit or org.a
    return {
        Role.RECEPTION: lambda: kit.users["reception"],
        Role.DEPT_STAFF: lambda: kit.users["eng_staff"],
        Role.DEPT_SUPERVISOR: lambda: kit.users["eng_supervisor"],
        Role.DEPT_MANAGER: lambda: kit.users["eng_manager"],
        Role.OFFICE_MANAGER: lambda: kit.users["office_manager"],
        Role.QM: lambda: org.users["qm"],
        Role.GENERAL_OFFICE: lambda: org.users["general_office"],
        Role.MGMT_REP: lambda: org.users["mgmt_rep"],
        Role.LEADERSHIP: lambda: org.users["leadership"],
        Role.GROUP_PROPERTY: lambda: org.users["group_property"],
        Role.COMMITTEE_MEMBER: lambda: kit.users["committee"],
        Role.QM_INFO_OFFICER: lambda: org.users["qm_info_officer"],
    }[Role(role)]()


def make_user(username: str, grants: list[tuple[str, Any, Decimal | None]]) -> User:
    user = User.objects.create_user(username=username, password="pw", display_name=username)
    for role, scope, limit in grants:
        role_grant(user=user, role=role, scope_obj=scope, compensation_limit=limit)
    forget(user)
    return user


# --- snapshots -----------------------------------------------------------------------------------


from docket.complaints.models import IssueAnswer  # noqa: E402

_FILE_TABLES = {  # every table holding part of a complaint's file, keyed by its complaint column
    "issues": ComplaintIssue,
    "replies": Reply,
    "claims": CompensationClaim,
    "forwards": DeveloperForward,
    "follow_ups": FollowUp,
    "ncrs": NonconformityReport,
    "capas": CorrectiveAction,  # seed part 2 (issue 15)
    "attachments": Attachment,
    "cosigners": CoSigner,
    "obligations": Obligation,
    "owner_ratings": OwnerRating,  # portal answers (issue 11)
    "second_reviews": SecondReview,
    "issue_answers": IssueAnswer,  # seed3 (issue 15)
}


def _select(cursor, sql: str, params) -> list[tuple]:
    cursor.execute(sql, params)
    return [tuple(row) for row in cursor.fetchall()]


def snapshot(complaint_id: int) -> dict:
    """Every row of one complaint's file (the complaint, its events, issues, replies and their reviews,
    claims, forwards, follow-up, reports, attachments, co-signers, deadlines) as plain data, for before/after
    comparisons. Plain SQL through the models' table names: it runs hundreds of times per module."""
    with connection.cursor() as cur:
        snap = {
            "complaint": _select(
                cur, f"SELECT * FROM {Complaint._meta.db_table} WHERE id = %s", [complaint_id]
            ),
            "events": _select(
                cur,
                f"SELECT seq, kind, hash FROM {ComplaintEvent._meta.db_table} "
                "WHERE complaint_id = %s ORDER BY seq",
                [complaint_id],
            ),
            "reviews": _select(
                cur,
                f"SELECT * FROM {ReplyReview._meta.db_table} WHERE reply_id IN "
                f"(SELECT id FROM {Reply._meta.db_table} WHERE complaint_id = %s) ORDER BY id",
                [complaint_id],
            ),
        }
        for key, model in _FILE_TABLES.items():
            snap[key] = _select(
                cur,
                f"SELECT * FROM {model._meta.db_table} WHERE complaint_id = %s ORDER BY id",
                [complaint_id],
            )
    assert snap["complaint"], f"complaint {complaint_id} does not exist"
    return snap


def global_counts() -> dict:
    """Row counts of every table intake writes to, and the receipt counters."""
    return {
        "complaints": Complaint.objects.count(),
        "events": ComplaintEvent.objects.count(),
        "issues": ComplaintIssue.objects.count(),
        "cosigners": CoSigner.objects.count(),
        "attachments": Attachment.objects.count(),
        "counters": list(ReceiptCounter.objects.order_by("pk").values_list("office_id", "day", "last")),
    }


# --- driving a complaint through the real services ------------------------------------------------

REVIEW_STATES = {State.IN_REVIEW, State.REPLY_APPROVED}

# The path each state is reached by; every state is reached from the one before it in its path.
_PATH: dict[str, list[str]] = {
    State.REGISTERED: [],
    State.WITHDRAWN: ["withdraw"],
    State.ASSIGNED: ["assign"],
    State.INVESTIGATING: ["assign", "accept"],
    State.UNCLOSED: ["assign", "accept", "close_unclosed"],
    State.WITH_DEVELOPER: ["assign", "accept", "forward_to_developer"],
    State.IN_REVIEW: ["assign", "accept", "findings", "draft", "submit"],
    State.REPLY_APPROVED: ["assign", "accept", "findings", "draft", "submit", "approve_all"],
    State.REPLIED: ["assign", "accept", "findings", "draft", "reply_out"],
    State.NEGOTIATING: ["assign", "accept", "findings", "draft", "reply_out", "disagree"],
    State.IMPLEMENTING: ["assign", "accept", "findings", "draft", "reply_out", "agree"],
    State.VERIFYING: ["assign", "accept", "findings", "draft", "reply_out", "agree", "measures"],
    State.QM_VERIFYING: ["assign", "accept", "findings", "draft", "reply_out", "agree", "measures", "verify"],
    State.FOLLOW_UP: ["assign", "accept", "findings", "draft", "reply_out", "agree", "measures", "verify"],
    State.CLOSED: [
        "assign",
        "accept",
        "findings",
        "draft",
        "reply_out",
        "agree",
        "measures",
        "verify",
        "follow_up",
    ],
}


def drive_to(
    org: Org,
    state: str,
    *,
    method: str = Method.PHONE,
    kit: OfficeKit | None = None,
    issues: int = 1,
    review_stage: str = "qm",
    **register,
) -> Complaint:
    """A new complaint of office `kit` (A by default), brought to `state` by the services a real office
    would use, each by the role that would take it. All issues go to the engineering department.

    For IN_REVIEW a method with review stages is needed (e.g. email, letter); `review_stage=
    "general_office"` stops a letter after the QM approval, at the general office's stage.
    """
    kit = kit or org.a
    state = State(state)
    if state == State.QM_VERIFYING and "channel" not in register and method != Method.ONLINE:
        register["channel"] = Channel.COMPANY  # filed with the company: verified twice (seed 5.2.3.6)
    if state in REVIEW_STATES and not workflow.REVIEW_ROUTES[method]:
        raise ValueError(f"{state} cannot be reached by a {method} complaint (no review)")
    if method in (Method.GOVERNMENT_FORWARD, Method.DEVELOPER_FORWARD):
        register = forwarded(org, method) | register
    if issues != 1 and "issues" not in register:
        register["issues"] = [
            IssueInput(summary=f"问题{n}", category_id=org.categories["电梯"].id)
            for n in range(1, issues + 1)
        ]
    c = make_complaint(org, kit=kit, method=method, **register)
    u = kit.users
    cid = c.id
    for step in _PATH[state]:
        if step == "withdraw":
            s.complaint_withdraw(actor=u["reception"], complaint_id=cid, reason="业主已自行解决，申请撤回")
        elif step == "assign":
            s.complaint_assign(
                actor=u["reception"], complaint_id=cid, department_id=kit.depts["engineering"].id
            )
        elif step == "accept":
            s.complaint_accept(actor=u["eng_supervisor"], complaint_id=cid)
        elif step == "close_unclosed":
            s.complaint_close_unclosed(
                actor=u["office_manager"],
                complaint_id=cid,
                analysis="超出公司能力范围",
                mitigation="已设置临时围挡",
            )
        elif step == "forward_to_developer":
            s.developer_forward(
                actor=u["eng_supervisor"],
                complaint_id=cid,
                party_id=org.developer.id,
                reason="属地产保修范围",
            )
        elif step == "findings":
            for issue in ComplaintIssue.objects.filter(complaint_id=cid):
                s.issue_findings_record(
                    actor=u["eng_supervisor"],
                    complaint_id=cid,
                    issue_id=issue.id,
                    findings="现场查看属实",
                    measures="安排维修",
                )
        elif step == "draft":
            s.reply_draft_save(
                actor=u["eng_supervisor"], complaint_id=cid, body="您好，感谢您的反映，经现场查看……"
            )
        elif step == "submit":
            s.reply_submit(actor=u["eng_supervisor"], complaint_id=cid)
            if state == State.IN_REVIEW and review_stage == "general_office":
                s.reply_review_approve(actor=org.users["qm"], complaint_id=cid)
        elif step == "approve_all":
            for stage in workflow.REVIEW_ROUTES[method]:
                s.reply_review_approve(actor=org.users[stage], complaint_id=cid)
        elif step == "reply_out":
            if workflow.REVIEW_ROUTES[method]:
                s.reply_submit(actor=u["eng_supervisor"], complaint_id=cid)
                for stage in workflow.REVIEW_ROUTES[method]:
                    s.reply_review_approve(actor=org.users[stage], complaint_id=cid)
            s.reply_send(actor=u["reception"], complaint_id=cid)
        elif step == "disagree":
            s.complainant_disagree(actor=u["reception"], complaint_id=cid, reason="业主认为维修时间太长")
        elif step == "agree":
            s.complainant_agree(actor=u["reception"], complaint_id=cid)
        elif step == "measures":
            s.measures_done(actor=u["eng_staff"], complaint_id=cid, note="已更换门机板")
        elif step == "verify":
            for issue in ComplaintIssue.objects.filter(complaint_id=cid):
                s.issue_verify(
                    actor=u["office_manager"],
                    complaint_id=cid,
                    issue_id=issue.id,
                    passed=True,
                    note="复查运行正常",
                )
            if state != State.QM_VERIFYING and Complaint.objects.get(pk=cid).state == State.QM_VERIFYING:
                s.qm_verify(actor=org.users["qm"], complaint_id=cid, decision="passed", note="品质部复核合格")
        elif step == "follow_up":
            s.follow_up_record(
                actor=u["reception"],
                complaint_id=cid,
                method="phone",
                satisfaction=5,
                process_rating="satisfied",
                measures_rating="satisfied",
                result_rating="satisfied",
            )
        else:  # pragma: no cover
            raise AssertionError(step)
    c = Complaint.objects.get(pk=cid)
    assert c.state == state, (c.state, state)
    return c


def forwarded(org: Org, method: str = Method.GOVERNMENT_FORWARD) -> dict:
    """Registration fields of a complaint forwarded by the 12345 hotline (or the developer), with the
    forwarder's reference and own deadline (R-EXP-8)."""
    if method == Method.DEVELOPER_FORWARD:
        party, channel = org.developer, Channel.DEVELOPER
    else:
        party, _ = ExternalParty.objects.get_or_create(
            group=org.group, kind=ExternalParty.Kind.HOTLINE, name="12345市民服务热线"
        )
        channel = Channel.GOVERNMENT
    return {
        "channel": channel,
        "forwarded_by_id": party.id,
        "forwarder_ref": "GD-2026-0001",
        "forwarder_due_at": clock.now() + timedelta(days=5),
    }


# --- calling any action ----------------------------------------------------------------------------


@dataclass
class Ctx:
    """What a call needs: the complaint, its (first) issue and, for compensation, a pending claim."""

    org: Org
    complaint_id: int
    issue_id: int
    claim_id: int | None = None
    extra: dict = field(default_factory=dict)


def ctx_for(org: Org, complaint: Complaint | int) -> Ctx:
    complaint_id = complaint if isinstance(complaint, int) else complaint.id
    issue_id = (
        ComplaintIssue.objects.filter(complaint_id=complaint_id)
        .order_by("seq")
        .values_list("id", flat=True)[0]
    )
    return Ctx(org=org, complaint_id=complaint_id, issue_id=issue_id)


def default_args(action: str, x: Ctx) -> dict:
    """Valid inputs for `action` (what a careful user would type)."""
    o = x.org
    inputs: dict[str, Callable[[], dict[str, Any]]] = {
        "close_on_spot": lambda: {"note": "已现场更换灯泡，业主确认满意"},
        "assign": lambda: {"department_id": o.a.depts["engineering"].id},
        "accept": lambda: {},
        "office_call_record": lambda: {"callee_id": o.a.users["office_manager"].id, "note": "已告知王经理"},
        "transfer": lambda: {"department_id": o.a.depts["security"].id, "reason": "属秩序部职责"},
        "refuse": lambda: {"reason": "非本部门职责"},
        "issue_findings_record": lambda: {
            "issue_id": x.issue_id,
            "findings": "现场查看属实",
            "measures": "更换门机板",
        },
        "forward_to_developer": lambda: {"party_id": o.developer.id, "reason": "属地产保修范围"},
        "developer_answer_record": lambda: {"answer": "地产同意保修", "their_ref": "DC-2026-001"},
        "explanation_record": lambda: {"explanation": "该设施不属于物业服务范围，已耐心解释"},
        "reply_draft_save": lambda: {"body": "您好，感谢您的反映，我们已安排维修。"},
        "reply_submit": lambda: {},
        "reply_review_approve": lambda: {"comment": "同意"},
        "reply_review_return": lambda: {"comment": "未覆盖全部问题"},
        "reply_send": lambda: {},
        "complainant_agree": lambda: {"note": "业主同意"},
        "complainant_disagree": lambda: {"reason": "业主认为时间太长"},
        "negotiation_round_record": lambda: {"summary": "第二次上门沟通"},
        "measures_done": lambda: {"note": "已更换"},
        "issue_verify": lambda: {"issue_id": x.issue_id, "passed": True, "note": "复查正常"},
        "follow_up_record": lambda: {
            "method": "phone",
            "satisfaction": 4,
            "process_rating": "satisfied",
            "measures_rating": "satisfied",
            "result_rating": "satisfied",
        },
        "follow_up_attempt": lambda: {"method": "phone", "note": "无人接听"},
        "follow_up_exempt": lambda: {"exemption": "unreachable", "note": "三次来电均未接通"},
        "escalate_to_qm": lambda: {"reason": "管理处无法解决"},
        "close_unclosed": lambda: {"analysis": "超出公司能力范围", "mitigation": "已设置临时围挡"},
        "withdraw": lambda: {"reason": "业主申请撤回"},
        "acknowledge_send": lambda: {"text": "您好，您的投诉已收到，我们将尽快处理。"},
        "clock_pause": lambda: {"reason": "等待业主提供照片", "resume_on": clock.now() + timedelta(days=3)},
        "clock_resume": lambda: {},
        "forwarder_reply_record": lambda: {"text": "已按12345工单要求答复"},
        "severity_raise": lambda: {"severity": Severity.HOT, "reason": "业主表示将联系媒体"},
        # escalation (issue 12): a change that meets no rule (the rules' own events are the system's)
        "risk_facts_record": lambda: {"reason": "补充投诉人数", "people_count": 2},
        "fault_record": lambda: {"company_fault": False, "reason": "等待供电局抢修"},
        "major_incident_record": lambda: {
            "incident": "safety_hazard",
            "note": "外墙瓷砖脱落，8小时内难以排除",
        },
        "authority_report_record": lambda: {"text": "已书面报告区住建局物业科", "reference": "BL-2026-01"},
        "closing_report_record": lambda: {
            "content": "电梯困人",
            "causes": "维保不到位",
            "process_result": "已更换主板，业主满意",
            "lessons": "加强维保巡检",
        },
        "group_report_record": lambda: {
            "content": "电梯多次故障",
            "cause": "设备老化",
            "handling": "已更换门机板",
        },
        "ncr_issue": lambda: {
            "nonconformity": "维修超时",
            "cause": "备件不足",
            "corrective_action": "建立备件库",
        },
        "compensation_claim_record": lambda: {
            "amount": "300",
            "description": "电梯故障致业主受伤，索赔医药费",
        },
        "compensation_decide": lambda: {"claim_id": x.claim_id, "approve": True, "note": "同意赔付"},
        "compensation_escalate": lambda: {
            "claim_id": x.claim_id,
            "note": "涉及地产，上报",
            "to_developer": True,
        },
        "note_add": lambda: {"text": "已电话安抚业主"},
        "chase_record": lambda: {"text": "业主来电催问维修进度", "via": "phone"},
        "complainant_correct": lambda: {"phone": "13900009999", "reason": "业主来电更正号码"},
        "attachment_add": lambda: {"upload": UploadInput(name="现场.png", content=PNG)},
        "qm_verify": lambda: {"decision": "passed", "note": "品质部复核合格"},
        "progress_update_send": lambda: {"method": "phone", "text": "已再次致函地产，维修方案下周确定"},
        "unclosed_conclude": lambda: {"outcome": "resolved", "note": "地产已完成外墙维修"},
        "leadership_opinion_request": lambda: {"question": "管理处无法协调，请领导决定是否由公司出资维修"},
        "leadership_opinion_record": lambda: {"opinion": "同意由公司先行垫付维修费用，再向地产追偿"},
        "first_contact_record": lambda: {
            "method": "phone",
            "summary": "已致电业主说明将安排维修，约定明天上午上门",
            "apologised": True,
        },
        "second_review_decide": lambda: {"reopen": False, "decision": "经复核，原处理结果合理，予以维持"},
        "reply_time_agree": lambda: {
            "agreed_at": clock.now() + timedelta(days=2),
            "note": "业主同意周五前答复",
        },
        # seed part 2 (issue 15)
        "compensation_outcome_record": lambda: {
            "claim_id": x.claim_id,
            "outcome": "partly",
            "amount": "200",
            "reasons": "费用报批：同意赔付部分医药费",
        },
        "ncr_draft": lambda: {
            "department_id": o.a.depts["engineering"].id,
            "nonconformity": "电梯维修超时",
            "cause": "备件不足",
            "corrective_action": "当日更换门机板",
            "preventive_action": "建立常用备件库",
        },
        "ncr_sign": lambda: {"ncr_id": x.extra.get("ncr_id", 0), "note": "同意"},
        "capa_assign": lambda: {
            "ncr_id": x.extra.get("ncr_id", 0),
            "kind": "preventive",
            "description": "建立常用备件库",
            "department_id": o.a.depts["engineering"].id,
        },
        "capa_done": lambda: {"capa_id": x.extra.get("capa_id", 0), "note": "备件库已建立"},
        "capa_verify": lambda: {"capa_id": x.extra.get("capa_id", 0), "passed": True, "note": "现场核查合格"},
        "ncr_close": lambda: {"ncr_id": x.extra.get("ncr_id", 0), "note": "措施全部验证合格"},
        # seed3 (issue 15)
        "issue_answer_submit": lambda: {"issue_ids": [x.issue_id], "body": "关于电梯故障：已更换门机板。"},
        "issue_answer_review": lambda: {"answer_id": x.extra.get("answer_id", 0), "approve": True},
        "issue_answer_send": lambda: {"answer_id": x.extra.get("answer_id", 0)},
        "issue_forward_to_developer": lambda: {
            "issue_id": x.issue_id,
            "party_id": o.developer.id,
            "reason": "属地产保修范围",
        },
        "issue_developer_answer_record": lambda: {
            "forward_id": x.extra.get("forward_id", 0),
            "answer": "地产同意保修",
        },
    }
    return inputs[action]()


def invoke(action: str, actor: User, x: Ctx, **overrides):
    """Perform `action` through its service with valid inputs (overridable)."""
    return SERVICE[action](actor=actor, complaint_id=x.complaint_id, **(default_args(action, x) | overrides))


def prepare(action: str, x: Ctx) -> Ctx:
    """Make the complaint ready for `action` beyond its state, where its state allows: findings and a
    draft before a reply is submitted or sent, a pending claim before a compensation decision, a paused
    clock before resuming. Done by QM (who may do all of these), except the findings and the draft: the
    handling department's steps, QM's only on what it handles itself (`_handler`)."""
    if action in SEED2_PREPARED:
        return _prepare_seed2(action, x)
    if action in SEED3_PREPARED:
        return _prepare_seed3(action, x)
    if action not in (
        "reply_submit",
        "reply_send",
        "compensation_decide",
        "compensation_escalate",
        "clock_resume",
        "authority_report_record",
        "closing_report_record",
        "second_review_decide",
    ):
        return x
    qm = x.org.users["qm"]
    c = Complaint.objects.get(pk=x.complaint_id)
    sources = {
        name: workflow.ACTIONS[name].sources
        for name in ("reply_draft_save", "compensation_claim_record", "clock_pause")
    }
    if action in ("reply_submit", "reply_send") and c.state in sources["reply_draft_save"]:
        handler = _handler(x, c)
        for issue in ComplaintIssue.objects.filter(complaint=c, state=IssueState.OPEN):
            s.issue_findings_record(
                actor=handler, complaint_id=c.id, issue_id=issue.id, findings="查明", measures="维修"
            )
        s.reply_draft_save(actor=handler, complaint_id=c.id, body="您好，感谢您的反映，处理结果如下……")
    if (
        action in ("compensation_decide", "compensation_escalate")
        and c.state in sources["compensation_claim_record"]
    ):
        x.claim_id = s.compensation_claim_record(
            actor=qm, complaint_id=c.id, amount="300", description="索赔医药费"
        ).id
    if action == "clock_resume" and c.state in sources["clock_pause"] and c.paused_at is None:
        invoke("clock_pause", qm, x)
    # escalation (issue 12): a reported incident before its report; a hot complaint before its case report
    if action == "authority_report_record" and c.state in workflow.ACTIONS["major_incident_record"].sources:
        invoke("major_incident_record", qm, x)
    if action == "closing_report_record" and c.severity == Severity.NORMAL:
        Complaint.objects.filter(pk=c.pk).update(severity=Severity.HOT)
    if (
        action == "second_review_decide"
        and c.state in workflow.ACTIONS["owner_review_request"].sources
        and not SecondReview.objects.filter(complaint=c).exists()
        and c.closed_at is not None
    ):
        s.owner_review_request(complaint_id=c.id, via="portal", reason="对处理结果有异议")
    return x


def _handler(x: Ctx, c: Complaint) -> User:
    """Who drafts on `c`: QM where it handles the complaint itself (escalated, or held by its department),
    else the supervisor of the office's engineering department (the department `drive_to` assigns)."""
    from docket.complaints.access import qm_handles

    if qm_handles(c):
        return x.org.users["qm"]
    kit = x.org.b if c.office_id == x.org.b.office.id else x.org.a
    return kit.users["eng_supervisor"]


# --- seed part 2 (issue 15) ---
SEED2_PREPARED = (
    "compensation_outcome_record",
    "ncr_sign",
    "capa_assign",
    "capa_done",
    "capa_verify",
    "ncr_close",
)


def _prepare_seed2(action: str, x: Ctx) -> Ctx:
    """An escalated claim; a department's draft report; a signed report, with an action open, done or
    verified: made by QM and the management representative through the services."""
    qm, mr = x.org.users["qm"], x.org.users["mgmt_rep"]
    c = Complaint.objects.get(pk=x.complaint_id)
    if action == "compensation_outcome_record":
        if c.state in workflow.ACTIONS["compensation_claim_record"].sources:
            x.claim_id = s.compensation_claim_record(
                actor=qm, complaint_id=c.id, amount="300", description="索赔医药费"
            ).id
            s.compensation_escalate(
                actor=qm,
                complaint_id=c.id,
                claim_id=x.claim_id,
                note="超出权限，费用报批",
                to_developer=False,
            )
        else:  # an ended complaint: the claim was escalated while it was open
            x.claim_id = CompensationClaim.objects.create(
                complaint=c,
                company_id=c.company_id,
                amount=300,
                description="索赔医药费",
                recorded_by=qm,
                recorded_at=c.updated_at,
                state="escalated",
                route="company_approval",
            ).id
        return x
    if c.state not in workflow.ACTIONS["ncr_draft"].sources:
        return x
    if action == "ncr_sign":
        x.extra["ncr_id"] = s.ncr_draft(actor=qm, complaint_id=c.id, **default_args("ncr_draft", x)).id
        return x
    x.extra["ncr_id"] = s.ncr_issue(
        actor=mr, complaint_id=c.id, nonconformity="维修超时", cause="备件不足", corrective_action="换板"
    ).id
    if action == "capa_assign":
        return x
    x.extra["capa_id"] = s.capa_assign(actor=mr, complaint_id=c.id, **default_args("capa_assign", x)).id
    if action == "capa_done":
        return x
    s.capa_done(actor=qm, complaint_id=c.id, capa_id=x.extra["capa_id"], note="已落实")
    if action == "capa_verify":
        return x
    s.capa_verify(actor=mr, complaint_id=c.id, capa_id=x.extra["capa_id"], passed=True, note="合格")
    return x


# --- seed3 (issue 15, R-INT-5) ---
SEED3_PREPARED = (
    "issue_answer_submit",
    "issue_answer_review",
    "issue_answer_send",
    "issue_developer_answer_record",
)


def _prepare_seed3(action: str, x: Ctx) -> Ctx:
    """The first issue investigated (as the handler would have recorded it); an issue answer waiting for QM
    or ready to send; a forwarded issue waiting for the developer. Written directly where the complaint's
    state no longer allows the step that made them (e.g. findings while with the developer)."""
    from docket.complaints.models import DeveloperForward, IssueAnswer

    c = Complaint.objects.get(pk=x.complaint_id)
    if c.state not in workflow.ACTIONS[action].sources:
        return x
    issue = ComplaintIssue.objects.get(pk=x.issue_id)
    qm = x.org.users["qm"]
    if action == "issue_developer_answer_record":
        issue.state = IssueState.FORWARDED
        issue.save(update_fields=["state"])
        x.extra["forward_id"] = DeveloperForward.objects.create(
            complaint=c,
            company_id=c.company_id,
            party=x.org.developer,
            reason="属地产保修范围",
            sent_by=qm,
            sent_at=c.updated_at,
            issue=issue,
        ).id
        return x
    if issue.state == IssueState.OPEN:
        issue.state, issue.findings, issue.measures = IssueState.INVESTIGATED, "查明", "维修"
        issue.save(update_fields=["state", "findings", "measures"])
    if action == "issue_answer_submit":
        return x
    answer = IssueAnswer.objects.create(
        complaint=c,
        company_id=c.company_id,
        number=IssueAnswer.objects.filter(complaint=c).count() + 1,
        body="关于电梯故障：已更换门机板。",
        state="in_review" if action == "issue_answer_review" else "approved",
        review_stages=["qm"],
        pending_stage="qm" if action == "issue_answer_review" else "",
        author=qm,
        created_at=c.updated_at,
    )
    answer.issues.set([issue])
    x.extra["answer_id"] = answer.id
    return x


# One valid situation per action — (state, method, variant) — and who takes it there: a role the table
# allows that sees the complaint in every state the action starts from.
VALID: dict[str, tuple[State, Method, str]] = {
    name: (State.INVESTIGATING, Method.PHONE, "") for name in SERVICE
} | {
    "close_on_spot": (State.REGISTERED, Method.PHONE, ""),
    "assign": (State.REGISTERED, Method.PHONE, ""),
    "office_call_record": (State.REGISTERED, Method.ONLINE, ""),  # online complaints only (officer8)
    "accept": (State.ASSIGNED, Method.PHONE, ""),
    "refuse": (State.ASSIGNED, Method.PHONE, ""),
    "developer_answer_record": (State.WITH_DEVELOPER, Method.PHONE, ""),
    "reply_submit": (State.INVESTIGATING, Method.EMAIL, ""),
    "reply_review_approve": (State.IN_REVIEW, Method.EMAIL, ""),
    "reply_review_return": (State.IN_REVIEW, Method.EMAIL, ""),
    "complainant_agree": (State.REPLIED, Method.PHONE, ""),
    "complainant_disagree": (State.REPLIED, Method.PHONE, ""),
    "negotiation_round_record": (State.NEGOTIATING, Method.PHONE, ""),
    "measures_done": (State.IMPLEMENTING, Method.PHONE, ""),
    "closing_report_record": (State.CLOSED, Method.PHONE, ""),  # escalation (issue 12)
    "issue_verify": (State.VERIFYING, Method.PHONE, ""),
    "follow_up_record": (State.FOLLOW_UP, Method.PHONE, ""),
    "follow_up_attempt": (State.FOLLOW_UP, Method.PHONE, ""),
    "follow_up_exempt": (State.FOLLOW_UP, Method.PHONE, ""),
    "forwarder_reply_record": (State.INVESTIGATING, Method.GOVERNMENT_FORWARD, ""),
    "qm_verify": (State.QM_VERIFYING, Method.PHONE, ""),
    "progress_update_send": (State.UNCLOSED, Method.PHONE, ""),
    "unclosed_conclude": (State.UNCLOSED, Method.PHONE, ""),
    "second_review_decide": (State.CLOSED, Method.PHONE, ""),
}

ACTOR: dict[str, str] = {
    "close_on_spot": Role.RECEPTION,
    "assign": Role.RECEPTION,
    "accept": Role.DEPT_SUPERVISOR,
    "office_call_record": Role.QM_INFO_OFFICER,
    "transfer": Role.DEPT_MANAGER,
    "refuse": Role.DEPT_SUPERVISOR,
    "issue_findings_record": Role.DEPT_STAFF,
    "forward_to_developer": Role.DEPT_SUPERVISOR,
    "developer_answer_record": Role.RECEPTION,
    "explanation_record": Role.OFFICE_MANAGER,
    "reply_draft_save": Role.DEPT_SUPERVISOR,
    "reply_submit": Role.DEPT_SUPERVISOR,
    "reply_review_approve": Role.QM,
    "reply_review_return": Role.QM,
    "reply_send": Role.RECEPTION,
    "complainant_agree": Role.RECEPTION,
    "complainant_disagree": Role.RECEPTION,
    "negotiation_round_record": Role.RECEPTION,
    "measures_done": Role.DEPT_STAFF,
    "issue_verify": Role.OFFICE_MANAGER,
    "follow_up_record": Role.RECEPTION,
    "follow_up_exempt": Role.RECEPTION,
    "follow_up_attempt": Role.RECEPTION,
    "escalate_to_qm": Role.OFFICE_MANAGER,
    "close_unclosed": Role.LEADERSHIP,
    "withdraw": Role.RECEPTION,
    "ncr_issue": Role.MGMT_REP,
    "compensation_claim_record": Role.RECEPTION,
    "compensation_decide": Role.OFFICE_MANAGER,
    "compensation_escalate": Role.LEADERSHIP,
    "note_add": Role.RECEPTION,
    "chase_record": Role.RECEPTION,
    "complainant_correct": Role.RECEPTION,
    "attachment_add": Role.RECEPTION,
    "second_review_decide": Role.QM,
    "reply_time_agree": Role.RECEPTION,
    "acknowledge_send": Role.RECEPTION,
    "clock_pause": Role.RECEPTION,
    "clock_resume": Role.RECEPTION,
    "forwarder_reply_record": Role.OFFICE_MANAGER,
    "severity_raise": Role.OFFICE_MANAGER,
    "group_report_record": Role.QM,
    # escalation (issue 12)
    "risk_facts_record": Role.RECEPTION,
    "fault_record": Role.QM,
    "major_incident_record": Role.OFFICE_MANAGER,
    "authority_report_record": Role.OFFICE_MANAGER,
    "closing_report_record": Role.QM,
    "first_contact_record": Role.DEPT_SUPERVISOR,
    "qm_verify": Role.QM,
    "progress_update_send": Role.OFFICE_MANAGER,
    "unclosed_conclude": Role.OFFICE_MANAGER,
    "leadership_opinion_request": Role.QM,
    "leadership_opinion_record": Role.LEADERSHIP,
    # seed part 2 (issue 15)
    "compensation_outcome_record": Role.LEADERSHIP,
    "ncr_draft": Role.DEPT_MANAGER,
    "ncr_sign": Role.MGMT_REP,
    "capa_assign": Role.MGMT_REP,
    "capa_done": Role.DEPT_STAFF,
    "capa_verify": Role.QM,
    "ncr_close": Role.MGMT_REP,
    # seed3 (issue 15)
    "issue_answer_submit": Role.DEPT_SUPERVISOR,
    "issue_answer_review": Role.QM,
    "issue_answer_send": Role.RECEPTION,
    "issue_forward_to_developer": Role.DEPT_SUPERVISOR,
    "issue_developer_answer_record": Role.RECEPTION,
}


def refused(code: str, complaint_id: int, call: Callable[[], Any]) -> DomainError:
    """`call()` must raise DomainError(`code`) and leave the complaint's whole file as it was."""
    before = snapshot(complaint_id)
    with pytest.raises(DomainError) as e:
        call()
    assert e.value.code == code, e.value
    assert snapshot(complaint_id) == before
    return e.value


# --- the module-wide world ---------------------------------------------------------------------------


@dataclass
class World:
    org: Org
    omni: User  # holds every role of office A, its engineering department, the company and the group
    ids: dict[tuple[str, str, str], int]

    def complaint(self, state: str, method: str = Method.PHONE, variant: str = "") -> Complaint:
        return Complaint.objects.get(pk=self.ids[(State(state), Method(method), variant)])

    def ctx(self, state: str, method: str = Method.PHONE, variant: str = "") -> Ctx:
        return ctx_for(self.org, self.ids[(State(state), Method(method), variant)])


def investigated_two_issues(org: Org, method: str = Method.EMAIL, *, findings: bool = True):
    """An investigating complaint with two issues, both investigated by the engineering supervisor unless
    `findings` is False: (complaint, [issue 1, issue 2]) — where an issue's own answer starts (seed3)."""

    c = drive_to(org, State.INVESTIGATING, method=method, issues=2)
    issues = list(c.issues.order_by("seq"))
    if findings:
        for i in issues:
            s.issue_findings_record(
                actor=org.a.users["eng_supervisor"],
                complaint_id=c.id,
                issue_id=i.id,
                findings="现场查看属实",
                measures=f"措施{i.seq}",
            )
    return c, issues


def build_world() -> World:
    org = shared_org()
    a = org.a
    omni = make_user(
        "omni",
        [
            (Role.RECEPTION, a.office, None),
            (Role.DEPT_STAFF, a.depts["engineering"], None),
            (Role.DEPT_SUPERVISOR, a.depts["engineering"], None),
            (Role.DEPT_MANAGER, a.depts["engineering"], Decimal("100000")),
            (Role.OFFICE_MANAGER, a.office, Decimal("100000")),
            (Role.QM, org.company, Decimal("100000")),
            (Role.GENERAL_OFFICE, org.company, None),
            (Role.MGMT_REP, org.company, None),
            (Role.LEADERSHIP, org.company, Decimal("100000")),
            (Role.GROUP_PROPERTY, org.group, None),
            (Role.COMMITTEE_MEMBER, a.committee, None),
        ],
    )
    ids: dict[tuple[str, str, str], int] = {}
    for state in State:
        if state not in REVIEW_STATES:
            ids[(state, Method.PHONE, "")] = drive_to(org, state).id
    for state in (
        State.INVESTIGATING,
        State.IN_REVIEW,
        State.REPLY_APPROVED,
        State.REPLIED,
        State.NEGOTIATING,
    ):
        ids[(state, Method.EMAIL, "")] = drive_to(org, state, method=Method.EMAIL).id
    ids[(State.IN_REVIEW, Method.LETTER, "")] = drive_to(org, State.IN_REVIEW, method=Method.LETTER).id
    ids[(State.IN_REVIEW, Method.LETTER, "go")] = drive_to(
        org, State.IN_REVIEW, method=Method.LETTER, review_stage="general_office"
    ).id
    ids[(State.VERIFYING, Method.PHONE, "two_issues")] = drive_to(org, State.VERIFYING, issues=2).id
    for state in (State.REGISTERED, State.ASSIGNED):  # the QM information officer's call (officer8)
        ids[(state, Method.ONLINE, "")] = drive_to(org, state, method=Method.ONLINE).id
    for state in State:
        ids[(state, Method.GOVERNMENT_FORWARD, "")] = drive_to(
            org, state, method=Method.GOVERNMENT_FORWARD
        ).id
    return World(org=org, omni=omni, ids=ids)


@pytest.fixture(scope="module")
def world_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module in a transaction rolled back at the module's end."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock():
        shared_org()  # committed before the module's transaction (conftest), so the world builds on it
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            media.disable()


@pytest.fixture
def world(world_data, db) -> World:
    """The module's world; the test runs in a savepoint (`db`) inside the module's transaction."""
    return world_data


def offered_both_ways(user, c) -> tuple[set[str], set[str]]:
    """The actions offered to `user` on complaint `c`, read the API's way (from the database) and the complaint
    page's way (from its prefetch, `complaint_detail_for`): the two must agree."""
    from docket.complaints import access
    from docket.complaints.selectors import complaint_detail_for

    by_db = {a.name for a in access.available_actions(user, Complaint.objects.get(pk=c.pk))}
    page = complaint_detail_for(Complaint.objects.get(pk=c.pk))
    return by_db, {a.name for a in access.available_actions(user, page)}


def detail_html(client, user, c) -> str:
    """The complaint page of `c` as `user` sees it."""
    from django.urls import reverse

    client.force_login(user)
    return client.get(reverse("complaints:detail", args=[c.id])).content.decode()
