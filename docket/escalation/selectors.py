"""The hot/major board (R-ESC): every hot and major complaint the viewer may see (scopes.py), the rule and
evidence that made it so, its reports and their state, the last report to the group. Four queries
whatever the page length: the complaints, their classification and report events, their report
obligations, their co-signers (for the masked people)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from docket.accounts.access import assignments_of
from docket.complaints import privacy, scopes
from docket.complaints.models import Complaint, ComplaintEvent, ComplaintIssue, CoSigner, Obligation, Severity
from docket.complaints.workflow import ACTIVE
from docket.core import clock
from docket.sla.calendar import SHANGHAI
from docket.sla.policies import KIND_LABELS

from .rules import RULE_LABELS
from .services import REPORT_KINDS

PAGE = 200
CLASS_KINDS = ("severity_classified", "severity_raised")
REPORT_EVENT_KINDS = ("group_reported", "closing_report_recorded", "authority_reported")


def may_see_board(user) -> bool:
    return any(a.role in scopes.ESCALATION_BOARD_ROLES for a in assignments_of(user))


@dataclass
class Filters:
    severity: str = ""
    state: str = ""  # open | ended | overdue
    office_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(cls, q) -> Filters:
        def day(v):
            try:
                return date.fromisoformat(v) if v else None
            except ValueError:
                return None

        office = q.get("office", "")
        return cls(
            severity=q.get("severity", "") if q.get("severity") in (Severity.HOT, Severity.MAJOR) else "",
            state=q.get("state", "") if q.get("state") in ("open", "ended", "overdue") else "",
            office_id=int(office) if office.isdigit() else None,
            date_from=day(q.get("from")),
            date_to=day(q.get("to")),
        )


@dataclass
class Duty:
    kind: str
    label: str
    due_at: datetime
    state: str  # met | met_late | overdue | due | paused | cancelled
    state_label: str


@dataclass
class Row:
    complaint: Complaint
    person: privacy.Person
    rules: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    classified_at: datetime | None = None
    by_hand: bool = False
    duties: list[Duty] = field(default_factory=list)
    last_report: dict | None = None
    last_report_at: datetime | None = None


STATE_LABELS = {
    "met": gettext_lazy("按时完成"),
    "met_late": gettext_lazy("逾期完成"),
    "overdue": gettext_lazy("已逾期"),
    "due": gettext_lazy("待办"),
    "paused": gettext_lazy("暂停"),
    "cancelled": gettext_lazy("已取消"),
}


def _duty_state(ob: Obligation, now: datetime) -> str:
    if ob.met_at is not None:
        return "met" if ob.state == Obligation.State.MET else "met_late"
    if ob.state == Obligation.State.CANCELLED:
        return "cancelled"
    if ob.state == Obligation.State.PAUSED:
        return "paused"
    return "overdue" if ob.due_at < now else "due"


def _evidence_text(code: str, ev: dict) -> str:
    if code == "repeat_people":
        receipts = "、".join(ev.get("receipts", []))
        return _("%(days)s天内不同投诉人%(people)s人（另有无法识别%(unknown)s件）：%(receipts)s") % {
            "days": ev.get("window_days"),
            "people": ev.get("people"),
            "unknown": ev.get("unknown", 0),
            "receipts": receipts,
        }
    if code in ("collective_hot", "collective_major"):
        return _("集体投诉%(people)s人（联名%(cosigners)s人）") % {
            "people": ev.get("people"),
            "cosigners": ev.get("cosigners", 0),
        }
    if code in ("unresolved_hot", "unresolved_major"):
        return _("因我方原因未解决%(days)s天（暂停计时%(paused)s天不计）") % {
            "days": ev.get("days"),
            "paused": ev.get("paused_days"),
        }
    flag = ev.get("flag")
    if flag:  # a fact staff recorded at intake or later (its field's label)
        fact = getattr(Complaint._meta.get_field(flag), "verbose_name", flag)
        return _("依据：%(fact)s（已登记的事实）") % {"fact": fact}
    return str(RULE_LABELS.get(code, code))


def board_queryset(user, f: Filters):
    qs = scopes.complaints_visible_to(user).filter(severity__in=[Severity.HOT, Severity.MAJOR])
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.state == "open":
        qs = qs.filter(state__in=ACTIVE)
    elif f.state == "ended":
        qs = qs.exclude(state__in=ACTIVE)
    elif f.state == "overdue":
        late = Obligation.objects.filter(
            complaint=OuterRef("pk"),
            kind__in=REPORT_KINDS,
            met_at__isnull=True,
            state__in=[Obligation.State.OPEN, Obligation.State.MISSED],
            due_at__lt=clock.now(),
        )
        qs = qs.filter(Exists(late))
    if f.office_id:
        qs = qs.filter(office_id=f.office_id)
    if f.date_from:
        qs = qs.filter(received_at__gte=datetime.combine(f.date_from, time.min, SHANGHAI))
    if f.date_to:
        qs = qs.filter(received_at__lt=datetime.combine(f.date_to + timedelta(days=1), time.min, SHANGHAI))
    issues = ComplaintIssue.objects.filter(complaint=OuterRef("pk")).order_by().values("complaint")
    return (
        qs.select_related("office", "room__unit__building")
        .annotate(issue_count=Subquery(issues.annotate(n=Count("id")).values("n")[:1]))
        .order_by("-received_at", "-id")
    )


def board(user, f: Filters, limit: int = PAGE) -> list[Row]:
    complaints = list(board_queryset(user, f)[:limit])
    ids = [c.pk for c in complaints]
    now = clock.now()
    cosigners: dict[int, list[CoSigner]] = {}
    for s in CoSigner.objects.filter(complaint_id__in=ids).order_by("id"):
        cosigners.setdefault(s.complaint_id, []).append(s)
    rows = {c.pk: Row(c, privacy.person_for(user, c, cosigners=cosigners.get(c.pk, []))) for c in complaints}
    for e in ComplaintEvent.objects.filter(
        Q(complaint_id__in=ids), Q(kind__in=CLASS_KINDS + REPORT_EVENT_KINDS)
    ).order_by("complaint_id", "seq"):
        row = rows[e.complaint_id]
        if e.kind == "severity_classified":
            row.rules = [str(RULE_LABELS.get(code, code)) for code in e.payload.get("rules", [])]
            row.evidence = [_evidence_text(k, v) for k, v in (e.payload.get("evidence") or {}).items()]
            row.classified_at, row.by_hand = e.at, False
        elif e.kind == "severity_raised":
            row.rules, row.evidence = [_("人工升级")], [str(e.payload.get("reason", ""))]
            row.classified_at, row.by_hand = e.at, True
        elif e.kind == "group_reported":
            row.last_report, row.last_report_at = e.payload, e.at
    for ob in Obligation.objects.filter(complaint_id__in=ids, kind__in=REPORT_KINDS).order_by(
        "started_at", "id"
    ):
        state = _duty_state(ob, now)
        rows[ob.complaint_id].duties.append(
            Duty(ob.kind, str(KIND_LABELS.get(ob.kind, ob.kind)), ob.due_at, state, str(STATE_LABELS[state]))
        )
    return [rows[i] for i in ids]
