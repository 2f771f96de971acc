"""Hot and major complaints found automatically (R-ESC-1..3) and the reports they owe (see docs/decisions.md,
"2026-12-04 escalation (issue 12)").

- `classify` runs the rules (`rules.py`) on one complaint's facts and, when they call for a higher
  severity, raises it as the system (`system_acting`, actor "escalation"): ONE `severity_classified` event
  with the rule codes, the evidence and the time, and the report-to-group obligation (hot: 4 hours, major:
  at once). Severity is never lowered. A major complaint meeting a major rule it had not met before is a
  "major change": the same event (from major to major) and a report due at once.
- `react` is the reaction registered with `complaints.reactions`: intake, risk facts, co-signers, the
  company-fault finding and confirmed same-issue groups; online complaints alert the QM information
  officer and the office manager at intake (seed 5.2.3.3.1).
- `escalation_sweep` (config/jobs.py) runs the age rules and opens the after-closure reports.
- The staff actions: `risk_facts_record`, `fault_record`, `major_incident_record`,
  `authority_report_record`, `closing_report_record` (rows in complaints/workflow.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef

from docket.accounts.backends import ORG
from docket.complaints.actors import Actor
from docket.complaints.models import (
    Complaint,
    ComplaintEvent,
    CoSigner,
    Kind,
    Obligation,
    Severity,
    State,
)
from docket.complaints.selectors import is_online
from docket.complaints.services import CoSignerInput
from docket.complaints.services._base import Act, acting, system_acting, text_required
from docket.complaints.services.obligations import obligation_start, obligations_meet
from docket.complaints.workflow import ACTIVE as ACTIVE_STATES
from docket.core import clock, generations, phones
from docket.core.compiled import Compiled
from docket.core.errors import DomainError
from docket.org.models import Company

from .models import ClassifyPending, EscalationPolicy, FaultFinding
from .rules import RANK, Facts, Finding, Thresholds, evaluate, highest

if TYPE_CHECKING:
    from docket.triage.services import RulesRow

logger = logging.getLogger(__name__)

SYSTEM = "escalation"
SAME_ISSUE_CONFIRMED = "same_issue_confirmed"  # = docket.triage.services.SAME_ISSUE_CONFIRMED
TRIGGER_KINDS = frozenset({"registered", "risk_facts_recorded", "fault_recorded", SAME_ISSUE_CONFIRMED})
REPORT_KINDS = ("report_group", "group_progress", "case_report", "special_report", "authority_report")
ENDED_REPORTABLE = (State.CLOSED, State.UNCLOSED)


def thresholds_for(company_id: int) -> Thresholds:
    """The company's thresholds, kept per process as company reference data: reloaded when the `org`
    generation stamp moves, which a change of any EscalationPolicy bumps (docket.accounts.backends)."""

    def load() -> Thresholds:
        p = EscalationPolicy.for_company(company_id)
        return Thresholds(
            repeat_people=p.repeat_people,
            repeat_window_days=p.repeat_window_days,
            hot_collective_people=p.hot_collective_people,
            major_collective_people=p.major_collective_people,
            hot_unresolved_days=p.hot_unresolved_days,
            major_unresolved_days=p.major_unresolved_days,
        )

    return generations.cached(("escalation_thresholds", company_id), (ORG,), load)


# --- facts ----------------------------------------------------------------------------------------------


def person_of(c: Complaint) -> str:
    """Who filed, for "different complainants": the normalised phone; "" (unknown) when anonymous or
    without a complete phone (the same key as docket.triage.same_issue.people)."""
    if c.anonymous:
        return ""
    return phones.normalize(c.complainant_phone) or ""


@dataclass
class Repeat:
    known: int = 0
    unknown: int = 0
    receipts: list[str] = field(default_factory=list)
    # the window's other complaints still normal (suggestions and inquiries left out: never classified): a
    # hot finding cannot change a hot or major complaint (_apply; severity only ever rises), so classify's
    # cascade raises only these
    normal: list[int] = field(default_factory=list)


def repeat_of(c: Complaint, window_days: int, row: bool = False, in_group: bool | None = None) -> Repeat:
    """The same issue from different people within `window_days` (R-ESC-1): the complaint's same-issue
    group (staff-confirmed, else the detector's, docket.triage) read as filings; the best window of
    `window_days` containing this complaint, counted in people: a phone once, unknown filers apart. `row`:
    `c` is the detector's own read of it (triage.rules_row), not read again."""
    from docket.triage.services import same_issue_group_for

    group = same_issue_group_for(
        complaint_id=c.pk, window_days=window_days, one=c if row else None, in_group=in_group
    )
    fields = ("id", "receipt_no", "received_at", "anonymous", "complainant_phone", "kind", "severity")
    others = [m.complaint for m in group.members]
    if any(f not in o.__dict__ for o in others for f in fields):  # rows read without these columns
        others = list(Complaint.objects.filter(pk__in=[o.pk for o in others]).only(*fields))
    rows = sorted([c, *others], key=lambda x: (x.received_at, x.pk))
    person = {x.pk: person_of(x) for x in rows}  # once per row (the windows below test each many times)
    span = timedelta(days=window_days)
    best = Repeat()
    for start in rows:
        if start.received_at > c.received_at or c.received_at - start.received_at > span:
            continue
        inside = [x for x in rows if start.received_at <= x.received_at <= start.received_at + span]
        known = {person[x.pk] for x in inside if person[x.pk]}
        unknown = sum(1 for x in inside if not person[x.pk])
        if (len(known), unknown) > (best.known, best.unknown):
            best = Repeat(
                len(known),
                unknown,
                [x.receipt_no for x in inside],
                [
                    x.pk
                    for x in inside
                    if x.pk != c.pk and x.severity == Severity.NORMAL and x.kind == Kind.COMPLAINT
                ],
            )
    return best


def paused_days(c: Complaint, now: datetime) -> float:
    """Days the complaint's clock stood paused waiting on the owner or a third party (R-EXP-5): from its
    clock_paused / clock_resumed events, and the pause still running."""
    total = timedelta(0)
    since: datetime | None = None
    for kind, at in (
        ComplaintEvent.objects.filter(complaint=c, kind__in=["clock_paused", "clock_resumed"])
        .order_by("seq")
        .values_list("kind", "at")
    ):
        if kind == "clock_paused":
            since = at
        elif since is not None:
            total += at - since
            since = None
    if c.paused_at is not None:
        total += now - (since or c.paused_at)
    return total.total_seconds() / 86400


def fault_days(c: Complaint, now: datetime) -> tuple[float | None, float]:
    """(open days through the company's fault, paused days): None when it has ended, or QM found the
    delay is not the company's fault (`FaultFinding`)."""
    if c.state not in ACTIVE_STATES:
        return None, 0.0
    finding = FaultFinding.objects.filter(complaint=c).first()
    paused = paused_days(c, now)
    if finding is not None and not finding.company_fault:
        return None, paused
    return max(0.0, (now - c.received_at).total_seconds() / 86400 - paused), paused


_cosigners = Compiled(lambda pk: CoSigner.objects.filter(complaint_id=pk))


def facts_of(
    c: Complaint,
    t: Thresholds,
    now: datetime,
    repeat: bool = True,
    row: bool = False,
    counted: Repeat | None = None,
    batch: RulesRow | None = None,
) -> tuple[Facts, Repeat]:
    """The complaint's facts; `repeat=False` leaves the same-issue count out (zero people): see classify.
    `row`: `c` is triage.rules_row's read (see repeat_of); `counted`: the same-issue count already made;
    `batch`: what triage.rules_rows read of `c` for its batch (its co-signers counted, its group membership)."""
    cosigners = batch.cosigners if batch is not None else _cosigners.count(1, None, c.pk)
    if counted is not None:
        repeat_found = counted
    elif repeat:
        in_group = batch.in_group if batch is not None else None
        repeat_found = repeat_of(c, t.repeat_window_days, row=row, in_group=in_group)
    else:
        repeat_found = Repeat()
    age = now - c.received_at
    days: float | None
    if c.state in ACTIVE_STATES and age < timedelta(days=min(t.hot_unresolved_days, t.major_unresolved_days)):
        # Younger than either unresolved threshold: its open days (the age less the paused days) cannot meet
        # them, so QM's fault finding and the pause events are not read (most classifications are of new
        # complaints). The age stands for the open days then: an upper bound, below both thresholds.
        days, paused = max(0.0, age.total_seconds() / 86400), 0.0
    else:
        days, paused = fault_days(c, now)
    return (
        Facts(
            lawsuit_filed=c.lawsuit_filed,
            media_exposed=c.media_exposed,
            legal_or_media_risk=c.legal_or_media_risk,
            people=max(c.people_count, cosigners + 1 if cosigners else 1),
            cosigners=cosigners,
            repeat_known=repeat_found.known,
            repeat_unknown=repeat_found.unknown,
            repeat_receipts=tuple(repeat_found.receipts),
            fault_days=days,
            paused_days=paused,
        ),
        repeat_found,
    )


# --- classification -------------------------------------------------------------------------------------


_classified_payloads = Compiled(
    lambda pk: ComplaintEvent.objects.filter(complaint_id=pk, kind="severity_classified").values_list(
        "payload", flat=True
    )
)


def _recorded_codes(c: Complaint) -> set[str]:
    codes: set[str] = set()
    for payload in _classified_payloads(c.pk):
        codes.update(payload.get("rules", []))
    return codes


def _decide(c: Complaint, findings: list[Finding]) -> tuple[str, list[Finding]] | None:
    """What `_apply` would write on `c`: (the target severity, the findings it records), or None for nothing
    (never lower; already there, only a major complaint meeting a new major rule is news)."""
    target = highest(findings)
    current = Severity(c.severity)
    if RANK[Severity(target)] < RANK[current] or target == Severity.NORMAL:
        return None
    relevant = [f for f in findings if f.severity == target]
    if target == current:
        # Already there: only a major complaint meeting a new major rule is news ("major change").
        new = [f for f in relevant if f.code not in _recorded_codes(c)]
        if target != Severity.MAJOR or not new:
            return None
        relevant = new
    return target, relevant


def _apply(act: Act, findings: list[Finding], trigger: str) -> bool:
    """Raise the complaint to the findings' severity (never lower): one event, the report obligation."""
    c = act.complaint
    decided = _decide(c, findings)
    if decided is None:
        return False
    target, relevant = decided
    current = Severity(c.severity)
    act.set(severity=target)
    summary = "；".join(f.label for f in relevant)
    act.record(
        "severity_classified",
        {
            "from": current,
            "to": target,
            "rules": [f.code for f in relevant],
            "evidence": {f.code: f.evidence for f in relevant},
            "trigger": trigger,
            "summary": summary,
            "change": target == current,
        },
    )
    obligation_start(act, "report_group", target)
    return True


def classify(
    *,
    complaint_id: int,
    trigger: str,
    now: datetime | None = None,
    extra: list[Finding] | None = None,
    skip_locked: bool = False,
    cascade: bool = True,
    row: RulesRow | None = None,
) -> bool:
    """Run the rules on one complaint (see the module docstring); whether its severity was raised. The
    other complaints of a repeated issue get the same finding.

    Most classifications change nothing (a new complaint meeting no rule). So, unless handed a finding, the
    rules first run on a plain read of the row the detector reads anyway (no lock, no full row, no
    transaction); only when that finds something to write does the locked pass run, and decide again
    under the lock. Safe: severity only rises, and every change of the facts the rules read (flags, people,
    co-signers, a fault finding, a confirmed group) is its own trigger (docs/decisions.md, "classify7").
    `row`: the complaint as `triage.rules_rows` read it for a batch (classify_pending), not read again."""
    counted: Repeat | None = None
    if extra is None:
        nothing, counted = _unchanged(complaint_id, now or clock.now(), cascade, row)
        if nothing is not None:
            _cascade(nothing[0] if cascade else None, nothing[1], trigger, now)
            return False
    members: list[int] = []
    finding: Finding | None = None
    with system_acting(
        actor=Actor.system(SYSTEM),
        complaint_id=complaint_id,
        action="classify",
        now=now,
        skip_locked=skip_locked,
        where={"kind": Kind.COMPLAINT},
    ) as act:
        if act is None or act.complaint.state == State.WITHDRAWN:
            return False
        t = thresholds_for(act.complaint.company_id)
        # The same-issue count can only give `repeat_people`, a hot finding: on a complaint already hot or
        # major it cannot change what `_apply` decides (a hot target writes nothing there, a major one
        # records only the major findings). So it is counted only when it may matter — the complaint is
        # still normal and not handed that finding already — or when its members are to be classified too
        # (cascade). The cascade's members (given the wave's finding) and the sweep's hot complaints thus
        # skip the detector (docs/decisions.md, intakeperf and "classify7").
        # the same-issue count of the read-only pass stands (other complaints' rows are never locked for it)
        facts, repeat = facts_of(
            act.complaint, t, act.now, repeat=_counts(act.complaint, extra, cascade), counted=counted
        )
        findings = evaluate(facts, t)
        findings += [f for f in extra or [] if f.code not in {x.code for x in findings}]
        changed = _apply(act, findings, trigger)
        finding = next((f for f in findings if f.code == "repeat_people"), None)
        members = repeat.normal
    _cascade(finding if cascade else None, members, trigger, now)
    return changed


def _counts(c: Complaint, extra: list[Finding] | None, cascade: bool) -> bool:
    """Whether classify counts the same issue (see there)."""
    given = any(f.code == "repeat_people" for f in extra or [])
    return cascade or (RANK[Severity(c.severity)] < RANK[Severity.HOT] and not given)


def _unchanged(
    complaint_id: int, now: datetime, cascade: bool, row: RulesRow | None = None
) -> tuple[tuple[Finding | None, list[int]] | None, Repeat | None]:
    """classify's read-only pass: ((the repeat finding, the members still normal), None) when the rules
    would write nothing on the complaint itself; (None, the same-issue count made, if one was) when they
    might, or the row is gone (the locked pass says so)."""
    from docket.triage.services import rules_row

    c = row.complaint if row is not None else rules_row(complaint_id)
    if c is None:
        return None, None
    if c.kind != Kind.COMPLAINT or c.state == State.WITHDRAWN:
        return (None, []), None
    t = thresholds_for(c.company_id)
    count = _counts(c, None, cascade)
    facts, repeat = facts_of(c, t, now, repeat=count, row=True, batch=row)
    findings = evaluate(facts, t)
    if _decide(c, findings) is not None:
        return None, repeat if count else None
    return (next((f for f in findings if f.code == "repeat_people"), None), repeat.normal), None


def _cascade(finding: Finding | None, members: list[int], trigger: str, now: datetime | None) -> None:
    """The other complaints of a repeated issue, still normal, get the finding."""
    if finding is not None:
        for other in members:
            classify(complaint_id=other, trigger=trigger, now=now, extra=[finding], cascade=False)


def needs_now(c: Complaint, now: datetime) -> bool:
    """Whether a new complaint's own row may meet a rule (no query): a flag, more than one person, or
    received a day or more ago (a letter recorded late). Otherwise only the same-issue count can make it
    hot, and that runs right after the intake commits (online or not: being online meets no rule)."""
    return c.kind == Kind.COMPLAINT and (
        c.lawsuit_filed
        or c.media_exposed
        or c.legal_or_media_risk
        or c.people_count >= 2
        or now - c.received_at >= timedelta(days=1)
    )


def _after_commit(fn) -> None:
    """Run `fn` once the current transaction commits (tests replace it to run at once)."""
    transaction.on_commit(fn)


def react(complaint_id: int, kinds: frozenset[str], complaint: Complaint | None = None) -> bool:
    """The reaction to changed facts (complaints/reactions.py). At intake a complaint whose own row meets
    no rule costs no classification inside the intake (an online one only its alert): its same-issue count
    runs after the commit, in a task (docs/decisions.md, "2026-12-05 intakeperf")."""
    if "registered" in kinds and complaint is not None and not needs_now(complaint, clock.now()):
        if complaint.kind != Kind.COMPLAINT:  # suggestions and inquiries are never classified nor alerted
            return False
        if is_online(complaint):
            _online_alert_new(complaint)
        classify_later(complaint_id)
        return False  # the alert changed the caller's own copy in place: nothing to re-read
    changed = False
    if "registered" in kinds:
        changed = online_alert(complaint_id=complaint_id) or changed
    trigger = sorted(kinds & TRIGGER_KINDS)[0] if kinds & TRIGGER_KINDS else "facts"
    return classify(complaint_id=complaint_id, trigger=trigger) or changed


# --- the classifications waiting for the worker (docs/decisions.md, "classifybatch") ---------------------------

# Set while a drain is queued or running (huey's key-value store: Redis in production, the SQLite file
# embedded): the intakes of a burst queue one drain between them, not a task each. Its value is the wall
# time it was set or a running drain last renewed it (each batch): older than DRAIN_STALE, the drain is
# taken for dead (a worker that crashed), and the minute's catch-up takes over.
DRAIN_FLAG = "escalation:classify-pending"
DRAIN_STALE = 120.0
DRAIN_BATCH = 100
# Seconds a drain that found work waits for more before it ends: the filings of a busy moment are then one
# batch for one drain, not a task each (a worker thread sleeping, no CPU; not in tests: huey runs immediately).
DRAIN_LINGER = 0.25
_pending_insert: dict[str, str] = {}


def classify_later(complaint_id: int) -> None:
    """Queue a new complaint's classification for the worker: a `ClassifyPending` row in the caller's
    transaction (it commits or rolls back with the complaint), and, after the commit, a drain task unless one
    is already queued or running. One plain INSERT (no ORM compile: every API filing runs it)."""
    from django.db import connection

    sql = _pending_insert.get(connection.vendor)
    if sql is None:
        table = connection.ops.quote_name(ClassifyPending._meta.db_table)
        sql = _pending_insert[connection.vendor] = (
            f"INSERT INTO {table} (complaint_id, queued_at) VALUES (%s, %s)"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [complaint_id, connection.ops.adapt_datetimefield_value(clock.now())])
    _after_commit(_drain_kick)


def _drain_kick() -> None:
    """Queue a drain unless one is queued or running (its flag set); the drain clears the flag when it finds
    nothing left, then looks once more (see classify_pending)."""
    from huey.contrib.djhuey import HUEY

    if HUEY.put_if_empty(DRAIN_FLAG, time.time()):
        _drain_task()()


def _drain_task():
    from .tasks import escalation_classify_pending

    return escalation_classify_pending


def classify_pending(*, batch: int = DRAIN_BATCH, older_than: timedelta | None = None) -> int:
    """Classify the complaints waiting in `ClassifyPending`, oldest first, `batch` at a time (their rows and
    issues read once per batch, the generation stamps once per batch), deleting each batch's rows once it is
    done; the number classified. When it has found work it waits `DRAIN_LINGER` for more before it ends;
    then it clears the drain flag and looks once more, so an intake whose kick found the flag still set is
    never left waiting.

    `older_than`: the periodic catch-up (config/jobs.py) — run only if no drain is queued or running (the
    flag absent: the kick lost with Redis; or stale: the drain died with its worker) and a row has waited
    that long. At least once: two drains at once (a drain queued behind more than DRAIN_STALE of other
    work) may classify a complaint twice, which writes nothing the second time (classify decides again under
    the row lock; severity only rises)."""
    from huey.contrib.djhuey import HUEY

    from docket.triage.services import rules_rows, window_batch

    if older_than is not None:
        since = HUEY.get(DRAIN_FLAG, peek=True)
        if isinstance(since, float) and time.time() - since < DRAIN_STALE:
            return 0  # a drain is queued or running
        if not ClassifyPending.objects.filter(queued_at__lte=clock.now() - older_than).exists():
            return 0
    pending = ClassifyPending.objects.order_by("complaint_id").values_list("complaint_id", flat=True)
    linger = 0.0 if HUEY.immediate or older_than is not None else DRAIN_LINGER
    done, waited = 0, False
    try:
        while True:
            ids = list(pending[:batch])
            if not ids and linger and done and not waited:
                time.sleep(linger)
                waited = True
                continue
            waited = False
            if not ids:
                HUEY.delete(DRAIN_FLAG)
                if not ClassifyPending.objects.exists() or not HUEY.put_if_empty(DRAIN_FLAG, time.time()):
                    return done
                continue
            # this drain's, renewed each batch: no other drain is queued meanwhile
            HUEY.put(DRAIN_FLAG, time.time())
            with generations.scope():
                rows = rules_rows(ids)
                complaints = [r.complaint for r in rows.values()]
                with window_batch(complaints, lambda company: thresholds_for(company).repeat_window_days):
                    _classify_rows(ids, rows)
            ClassifyPending.objects.filter(complaint_id__in=ids).delete()
            done += len(ids)
    except BaseException:
        HUEY.delete(DRAIN_FLAG)  # the rows stay: the next kick or the catch-up takes them
        raise


def _classify_rows(ids: list[int], rows: dict[int, RulesRow]) -> None:
    for cid in ids:
        try:
            classify(complaint_id=cid, trigger="registered", row=rows.get(cid))
        except Exception:  # one complaint's failure must not hold back the others: logged
            logger.exception("classifying complaint %s failed", cid)


def online_alert(*, complaint_id: int) -> bool:
    """An online complaint: the QM information officer and the office manager hear of it at once, by the
    channels they chose (seed 5.2.3.3.1; the `online_complaint` notice, audience `online_watch`)."""
    with system_acting(actor=Actor.system(SYSTEM), complaint_id=complaint_id, action="online_alert") as act:
        if act is None:
            return False
        c = act.complaint
        if not is_online(c):  # the one online predicate (complaints.selectors, beside online_q)
            return False
        act.record("online_alerted", {"subject": c.subject, "method": c.method, "channel": c.channel})
    return True


def _online_alert_new(c: Complaint) -> None:
    """`online_alert` on the complaint intake is writing, with the intake's own copy: the row was inserted by
    this transaction (so it is locked and its chain's tail is known), no re-read, no second copy to
    refresh. The same event, version bump and notices as `online_alert`. Inside the intake's transaction
    and savepoint (no savepoint of its own: an error here rolls the whole intake back anyway)."""
    with transaction.atomic(savepoint=False):
        act = Act(complaint=c, actor=Actor.system(SYSTEM), action="online_alert", now=clock.now())
        act.record("online_alerted", {"subject": c.subject, "method": c.method, "channel": c.channel})
        act.finish()


# --- the periodic sweep ------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    checked: int = 0
    raised: int = 0
    reports_opened: int = 0


def escalation_sweep(*, now: datetime | None = None, batch: int = 1000) -> SweepResult:
    """The age rules (unresolved a week / a month through the company's fault) and the after-closure
    reports. Per company: the open complaints old enough to meet the next rule up, oldest first."""
    now = now or clock.now()
    result = SweepResult()
    for company_id in Company.objects.order_by("id").values_list("id", flat=True):
        t = thresholds_for(company_id)
        base = Complaint.objects.filter(company_id=company_id, kind=Kind.COMPLAINT, state__in=ACTIVE_STATES)
        due = base.filter(
            severity=Severity.NORMAL, received_at__lte=now - timedelta(days=t.hot_unresolved_days)
        ) | base.filter(severity=Severity.HOT, received_at__lte=now - timedelta(days=t.major_unresolved_days))
        for cid in due.order_by("received_at").values_list("id", flat=True)[:batch]:
            result.checked += 1
            if classify(complaint_id=cid, trigger="sweep", now=now, skip_locked=True, cascade=False):
                result.raised += 1
    result.reports_opened = closing_reports_open(now=now, batch=batch)
    return result


def closing_reports_open(*, now: datetime | None = None, batch: int = 1000) -> int:
    """After closure: the hot complaint's case report, QM's special report on a major one (R-ESC-1/2),
    each an obligation running from the closing time. Idempotent (one per complaint)."""
    now = now or clock.now()
    has = Obligation.objects.filter(complaint=OuterRef("pk"), kind__in=["case_report", "special_report"])
    ids = (
        Complaint.objects.filter(
            state__in=ENDED_REPORTABLE, severity__in=[Severity.HOT, Severity.MAJOR], closed_at__isnull=False
        )
        .filter(~Exists(has))
        .order_by("closed_at")
        .values_list("id", flat=True)[:batch]
    )
    opened = 0
    for cid in list(ids):
        with system_acting(
            actor=Actor.system(SYSTEM),
            complaint_id=cid,
            action="closing_report_open",
            now=now,
            skip_locked=True,
        ) as act:
            if (
                act is None
                or Obligation.objects.filter(
                    complaint=act.complaint, kind__in=["case_report", "special_report"]
                ).exists()
            ):
                continue
            c = act.complaint
            kind = "special_report" if c.severity == Severity.MAJOR else "case_report"
            ob = obligation_start(act, kind, c.severity, start=c.closed_at)
            if ob is not None:
                act.record("closing_report_due", {"report": kind, "due_at": ob.due_at})
                opened += 1
    return opened


# --- staff actions ---------------------------------------------------------------------------------------


def risk_facts_record(
    *,
    actor,
    complaint_id: int,
    reason: str,
    lawsuit_filed: bool | None = None,
    media_exposed: bool | None = None,
    legal_or_media_risk: bool | None = None,
    people_count: int | None = None,
    cosigners: list[CoSignerInput] | None = None,
    expected_version: int | None = None,
) -> Complaint:
    """Record what changed in a complaint's risk facts: a lawsuit filed, media exposure, the risk of
    either, the number of people and named co-signers of a collective complaint (R-EXP-9). The rules run
    at once (the reaction to `risk_facts_recorded`); severity is never lowered by a cleared flag."""
    reason = text_required(reason, "说明")
    added = [s for s in (cosigners or []) if s.name.strip()]
    if people_count is not None and not 1 <= people_count <= 100000:
        raise DomainError("validation", detail="投诉人数须在1至100000之间")
    with acting(
        actor=actor, complaint_id=complaint_id, action="risk_facts_record", expected_version=expected_version
    ) as act:
        c = act.complaint
        changes: dict[str, list] = {}
        for name, value in (
            ("lawsuit_filed", lawsuit_filed),
            ("media_exposed", media_exposed),
            ("legal_or_media_risk", legal_or_media_risk),
        ):
            if value is not None and bool(value) != getattr(c, name):
                changes[name] = [getattr(c, name), bool(value)]
                act.set(**{name: bool(value)})
        existing = CoSigner.objects.filter(complaint=c).count()
        people = people_count if people_count is not None else c.people_count
        people = max(people, existing + len(added) + 1 if (existing or added) else 1)
        if people != c.people_count:
            changes["people_count"] = [c.people_count, people]
            act.set(people_count=people)
        if added:
            CoSigner.objects.bulk_create(
                [
                    CoSigner(
                        complaint=c,
                        name=s.name.strip()[:50],
                        room=s.room.strip()[:50],
                        phone=s.phone.strip()[:20],
                    )
                    for s in added
                ]
            )
        if not changes and not added:
            raise DomainError("validation", detail="没有需要记录的变化")
        act.record(
            "risk_facts_recorded", {"changes": changes, "cosigners_added": len(added), "reason": reason}
        )
    return act.complaint


def fault_record(
    *, actor, complaint_id: int, company_fault: bool, reason: str, expected_version: int | None = None
) -> Complaint:
    """QM's finding whether the complaint is still unresolved through the company's own fault (the age
    rules, R-ESC-1/2). "Not our fault" stops the age rules (it lowers nothing already raised)."""
    reason = text_required(reason, "认定理由")
    with acting(
        actor=actor, complaint_id=complaint_id, action="fault_record", expected_version=expected_version
    ) as act:
        FaultFinding.objects.update_or_create(
            complaint=act.complaint,
            defaults={
                "company_fault": bool(company_fault),
                "reason": reason[:500],
                "recorded_by": actor,
                "recorded_at": act.now,
            },
        )
        act.record("fault_recorded", {"company_fault": bool(company_fault), "reason": reason})
    return act.complaint


INCIDENTS = {
    "safety_hazard": "建筑物及其附属设施设备发生安全隐患，且在8小时以内难以排除",
    "mass_incident": "发生群体性突发事件",
}


def major_incident_record(
    *, actor, complaint_id: int, incident: str, note: str, expected_version: int | None = None
) -> Complaint:
    """A safety hazard that cannot be removed within 8 hours, or a mass incident (the city's 物业服务重大
    事件报告制度, seed document 2): the report to the district property authority becomes due."""
    note = text_required(note, "情况说明")
    if incident not in INCIDENTS:
        raise DomainError("validation", detail="事件类型须为安全隐患或群体性事件")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="major_incident_record",
        expected_version=expected_version,
    ) as act:
        policy = EscalationPolicy.for_company(act.complaint.company_id)
        act.record(
            "major_incident_recorded",
            {
                "incident": incident,
                "what": INCIDENTS[incident],
                "note": note,
                "authority": policy.authority_name or "区物业管理行政主管部门",
                "authority_contact": policy.authority_contact,
            },
        )
        obligation_start(act, "authority_report")
    return act.complaint


def authority_report_record(
    *, actor, complaint_id: int, text: str, reference: str = "", expected_version: int | None = None
) -> Complaint:
    """The report made to the district property authority, meeting its deadline."""
    text = text_required(text, "报告内容")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="authority_report_record",
        expected_version=expected_version,
    ) as act:
        if not obligations_meet(act, "authority_report"):
            raise DomainError("nothing_due", kind=Obligation.Kind.AUTHORITY_REPORT.label)
        policy = EscalationPolicy.for_company(act.complaint.company_id)
        act.record(
            "authority_reported",
            {"text": text, "reference": reference.strip(), "authority": policy.authority_name},
        )
    return act.complaint


def closing_report_record(
    *,
    actor,
    complaint_id: int,
    content: str,
    causes: str,
    process_result: str,
    lessons: str,
    escalation_reason: str = "",
    corrective_measures: str = "",
    expected_version: int | None = None,
) -> Complaint:
    """After closure: the hot complaint's case report (content, causes, handling, lessons) or QM's special
    report on a major one (also why it escalated and the corrective measures), sent to the group."""
    fields = {
        "content": text_required(content, "投诉内容"),
        "causes": text_required(causes, "产生原因"),
        "process_result": text_required(process_result, "处理过程和结果"),
        "lessons": text_required(lessons, "经验教训"),
    }
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="closing_report_record",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        if c.severity == Severity.NORMAL:
            raise DomainError("validation", detail="仅热点或重大投诉需要结案报告")
        report = "special_report" if c.severity == Severity.MAJOR else "case_report"
        if report == "special_report":
            fields["escalation_reason"] = text_required(escalation_reason, "事件恶化的原因")
            fields["corrective_measures"] = text_required(corrective_measures, "纠正措施")
        obligations_meet(act, report)
        body = "\n".join(f"{LABELS[k]}：{v}" for k, v in fields.items())
        act.record("closing_report_recorded", {"report": report, **fields, "text": body})
    return act.complaint


LABELS = {
    "content": "投诉内容",
    "causes": "产生原因",
    "process_result": "处理过程和结果",
    "lessons": "经验教训",
    "escalation_reason": "事件恶化的原因",
    "corrective_measures": "纠正措施",
}
