"""Choice lists of the complaint record (R-INT-1..4, R-HDL)."""

from collections.abc import Iterable

from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")
    INQUIRY = "inquiry", _("咨询")


class Channel(models.TextChoices):
    """Where a complaint arrived (渠道, R-INT-1)."""

    OFFICE = "office", _("管理处")
    COMPANY = "company", _("物业公司")
    DEVELOPER = "developer", _("地产客户关系中心")
    GROUP = "group", _("集团总部")
    GOVERNMENT = "government", _("政府部门")
    ONLINE = "online", _("网站/APP")
    COMMITTEE = "committee", _("业主委员会")
    SUGGESTION_BOX = "suggestion_box", _("意见箱")


class Method(models.TextChoices):
    """How it arrived (方式, R-INT-2)."""

    PHONE = "phone", _("电话")
    VISIT = "visit", _("来访")
    LETTER = "letter", _("信函")
    FAX = "fax", _("传真")
    EMAIL = "email", _("邮件")
    ONLINE = "online", _("网上")
    DEVELOPER_FORWARD = "developer_forward", _("地产转交")
    GOVERNMENT_FORWARD = "government_forward", _("政府信访/热线转交")


class State(models.TextChoices):
    """Complaint states; the moves between them are in workflow.py."""

    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已派单")
    INVESTIGATING = "investigating", _("处理中")
    WITH_DEVELOPER = "with_developer", _("地产处理中")
    IN_REVIEW = "in_review", _("答复审核中")
    REPLY_APPROVED = "reply_approved", _("答复待发送")
    REPLIED = "replied", _("已答复待确认")
    NEGOTIATING = "negotiating", _("协商中")
    IMPLEMENTING = "implementing", _("措施落实中")
    VERIFYING = "verifying", _("待验证")
    # Complaints handled at company level or filed online: after the office's on-site verification QM
    # verifies again (seed 5.2.3.6, issue 15).
    QM_VERIFYING = "qm_verifying", _("待品质部验证")
    FOLLOW_UP = "follow_up", _("待回访")
    CLOSED = "closed", _("已关闭")
    UNCLOSED = "unclosed", _("未关闭")
    WITHDRAWN = "withdrawn", _("已撤回")


TERMINAL_STATES = frozenset({State.CLOSED, State.UNCLOSED, State.WITHDRAWN})


class ClosureKind(models.TextChoices):
    RESOLVED = "resolved", _("处理完毕")
    ON_THE_SPOT = "on_the_spot", _("现场处理")
    UNCLOSED = "unclosed", _("未关闭")
    WITHDRAWN = "withdrawn", _("投诉人撤回")
    NO_ANSWER = "no_answer", _("答复后业主逾期未回应，自动结案")  # portal answers (issue 11, R-EXP-3)


class Level(models.TextChoices):
    """Who handles it: the office, or the company after escalation to QM (R-HDL-5)."""

    OFFICE = "office", _("管理处")
    COMPANY = "company", _("公司")


class IssueState(models.TextChoices):
    OPEN = "open", _("待处理")
    INVESTIGATED = "investigated", _("已调查")
    MEASURES_DONE = "measures_done", _("措施已落实")
    VERIFIED = "verified", _("验证合格")
    REWORK = "rework", _("返工")
    WITHDRAWN = "withdrawn", _("已撤回")  # the complaint was withdrawn before the issue was verified
    # seed3 (issue 15, R-INT-5): an issue forwarded to the developer on its own, until the developer answers;
    # an issue closed on its own: answered to the complainant and verified, or answered after the developer's
    # answer; and every issue of a complaint closed on the spot (R-INT-10), with it (workflow.ISSUE_MOVES).
    FORWARDED = "forwarded", _("已转地产")
    CLOSED = "closed", _("已办结")


def _issue_names_now(numbers: tuple[int, ...]) -> str:
    return gettext("、").join(gettext("问题%(seq)s") % {"seq": n} for n in numbers)


_issue_names = lazy(_issue_names_now, str)


def issue_names(seqs: Iterable[int]) -> str:
    """The issues named by their numbers — 问题1、问题2 (English: issue 1, issue 2) — in the language active
    when the text is shown: an error's parameter is formatted when its message is rendered (`DomainError.
    message`), a page's note when the page is. For messages only; what the record stores stays as written."""
    return _issue_names(tuple(seqs))


# Issues whose work is done: nothing more is carried out or verified for them (seed3).
ISSUE_DONE_STATES = frozenset({IssueState.VERIFIED, IssueState.CLOSED})


class ReviewStage(models.TextChoices):
    QM = "qm", _("品质管理部")
    GENERAL_OFFICE = "general_office", _("办公室")


class ReplyState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    IN_REVIEW = "in_review", _("审核中")
    RETURNED = "returned", _("退回修改")
    APPROVED = "approved", _("已批准")
    SENT = "sent", _("已发送")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门")
    ONLINE = "online", _("网上回复")
    SURVEY = "survey", _("问卷")


class ContactMethod(models.TextChoices):
    """How the responsible department first contacted the complainant (seed document 5 §4.3)."""

    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门面谈")
    MESSAGE = "message", _("短信/微信/网上留言")
    EMAIL = "email", _("邮件")


class QmDecision(models.TextChoices):
    """QM's verification of a company-level or online complaint (seed 5.2.3.6)."""

    PASSED = "passed", _("验证合格")
    REWORK = "rework", _("措施落实不到位，责成返工")
    REASSESS = "reassess", _("措施不适宜或不充分，重新评审措施")


class FollowUpRating(models.TextChoices):
    """The complainant's view of one of the follow-up's three points (seed 5.2.5.3: 投诉受理过程、处理措施、
    结果), on the three-step scale of the industry's follow-up forms."""

    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class UnclosedOutcome(models.TextChoices):
    """How an unclosed complaint's progress reports end (seed 5.2.5.2, issue 15)."""

    RESOLVED = "resolved", _("责任方已解决问题")
    ACCEPTED = "accepted", _("顾客接受最终处理意见")
    UNREACHABLE = "unreachable", _("顾客已无法联系")


class ProjectPhase(models.TextChoices):
    """The project phase a developer-legacy problem goes back to (seed 5.2.6.4: 规划设计、工程施工、接管验收)."""

    DESIGN = "design", _("规划设计")
    CONSTRUCTION = "construction", _("工程施工")
    HANDOVER = "handover", _("接管验收")


class Exemption(models.TextChoices):
    """Why no follow-up visit (R-HDL-11)."""

    ON_THE_SPOT = "on_the_spot", _("现场处理并经顾客确认满意")
    ANONYMOUS = "anonymous", _("匿名投诉")
    UNREACHABLE = "unreachable", _("无法确定联系方式")
    SENSITIVE = "sensitive", _("不便回访的敏感投诉")


class ClaimState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    ESCALATED = "escalated", _("已上报")
    # seed part 2 (issue 15): an escalated claim's outcome was recorded (5.2.4.2).
    SETTLED = "settled", _("已有审批结果")


class Severity(models.TextChoices):
    """Hot and major complaints (R-ESC); set by the escalation rules or by staff."""

    NORMAL = "normal", _("一般")
    HOT = "hot", _("热点")
    MAJOR = "major", _("重大")


# --- seed part 2 (issue 15) ------------------------------------------------------------------------------


class ClaimOutcome(models.TextChoices):
    """What the developer's centre or the company's approval (费用报批 / 重大业务审批) decided (5.2.4.2)."""

    APPROVED = "approved", _("同意")
    PARTLY = "partly", _("部分同意")
    REFUSED = "refused", _("不同意")


class ClaimRoute(models.TextChoices):
    """Where an escalated claim went (seed 5.2.4.2)."""

    DEVELOPER = "developer", _("地产客户关系中心")
    COMPANY_APPROVAL = "company_approval", _("公司费用报批/重大业务审批")


class NcrState(models.TextChoices):
    """不合格/纠正、预防措施报告: filled in by a department (draft), signed by the management representative,
    closed once every action is verified (seed document 5 §4.3–4.4)."""

    DRAFT = "draft", _("待管理者代表签发")
    SIGNED = "signed", _("已签发")
    CLOSED = "closed", _("已关闭")


class CapaKind(models.TextChoices):
    CORRECTIVE = "corrective", _("纠正措施")
    PREVENTIVE = "preventive", _("预防措施")


class CapaState(models.TextChoices):
    OPEN = "open", _("待落实")
    DONE = "done", _("已落实待验证")
    VERIFIED = "verified", _("验证合格")


# --- seed3 (issue 15) -------------------------------------------------------------------------------------------


class ComplainantType(models.TextChoices):
    """Who complains (issue 15): an owner, a tenant, a visitor, a member of staff, or someone else. Seed documents
    3 and 4 differ on staff complaints (员工投诉): see docs/decisions.md, "seed3"."""

    OWNER = "owner", _("业主")
    TENANT = "tenant", _("租户")
    VISITOR = "visitor", _("访客")
    STAFF = "staff", _("员工")
    OTHER = "other", _("其他")


# What the owners' portal offers: people of the community, not staff (they use the internal channels).
PORTAL_COMPLAINANT_TYPES = (ComplainantType.OWNER, ComplainantType.TENANT, ComplainantType.VISITOR)
