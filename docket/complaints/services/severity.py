"""Hot and major complaints raised by staff, and the reports to the group (R-ESC-1..3). The automatic
rules (repeat complaints, collective size, age) belong to the escalation module; both end here."""

from __future__ import annotations

from docket.core.errors import DomainError

from ..models import Complaint, Severity
from ._base import acting, text_required
from .obligations import obligation_start, obligations_meet

_REPORT_LABELS = (
    ("content", "投诉内容"),
    ("cause", "原因分析"),
    ("handling", "目前处理情况"),
    ("difficulties", "处理难点"),
    ("help_needed", "需协助事项"),
)
_RANK = {Severity.NORMAL: 0, Severity.HOT: 1, Severity.MAJOR: 2}


def severity_raise(
    *, actor, complaint_id: int, severity: str, reason: str, expected_version: int | None = None
) -> Complaint:
    """Raise to hot or major with the reason and time recorded; starts the report-to-group deadline
    (hot: 4 hours, major: at once). Never lowers (R-ESC-3)."""
    reason = text_required(reason, "升级原因")
    if severity not in (Severity.HOT, Severity.MAJOR):
        raise DomainError("validation", detail="级别须为热点或重大")
    with acting(
        actor=actor, complaint_id=complaint_id, action="severity_raise", expected_version=expected_version
    ) as act:
        c = act.complaint
        if _RANK[Severity(c.severity)] >= _RANK[Severity(severity)]:
            raise DomainError("severity_not_higher", severity=c.get_severity_display())
        old = c.severity
        act.set(severity=severity)
        act.record("severity_raised", {"from": old, "to": severity, "reason": reason})
        obligation_start(act, "report_group", severity)
    return act.complaint


def group_report_record(
    *,
    actor,
    complaint_id: int,
    content: str,
    cause: str,
    handling: str,
    difficulties: str = "",
    help_needed: str = "",
    expected_version: int | None = None,
) -> Complaint:
    """A report to the group's property-management department: content, cause analysis, current handling,
    difficulties, help needed (R-ESC-1). Meets the report deadline if one is running; progress reports
    on major complaints may follow at any time (R-ESC-2)."""
    fields = {
        "content": text_required(content, "投诉内容"),
        "cause": text_required(cause, "原因分析"),
        "handling": text_required(handling, "目前处理情况"),
        "difficulties": difficulties.strip(),
        "help_needed": help_needed.strip(),
    }
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="group_report_record",
        expected_version=expected_version,
    ) as act:
        # The whole form travels to the group's people (the kind's notice, audience group_property).
        text = "\n".join(f"{label}：{fields[key]}" for key, label in _REPORT_LABELS if fields[key])
        act.record("group_reported", {**fields, "text": text})
        obligations_meet(act, "report_group", "group_progress")
        # A major complaint owes the next progress report at the configured interval (R-ESC-2).
        if act.complaint.severity == Severity.MAJOR and act.complaint.is_open:
            obligation_start(act, "group_progress", Severity.MAJOR)
    return act.complaint
