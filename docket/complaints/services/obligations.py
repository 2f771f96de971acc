"""A complaint's obligations (R-SLA-2, R-SLA-3, R-EXP-5, R-EXP-8): starting, meeting, cancelling, pausing and
resuming them, and the steps that exist only for deadlines (the courtesy reply, the forwarder's answer).
The due times themselves come from `sla.duetimes.schedule()` (rules over the company's calendar).

Called by the other complaint services inside their transaction, with the complaint row locked, so an
obligation starts or ends atomically with the change that causes it. Due times are computed here once,
from the effective policy (defaults ← company ← office) and the company's working calendar.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from docket.accounts.backends import SLA
from docket.core import compiled, generations
from docket.core.errors import DomainError
from docket.sla import duetimes, policies
from docket.sla.models import SlaPolicy

from ..actors import Actor
from ..models import Complaint, Obligation, State
from ._base import Act, acting, system_acting, text_required

ACTIVE_STATES = (Obligation.State.OPEN, Obligation.State.MISSED)
PAUSABLE = (State.INVESTIGATING, State.WITH_DEVELOPER, State.REPLIED, State.NEGOTIATING, State.IMPLEMENTING)


def effective_policy(complaint: Complaint) -> tuple[dict, str]:
    """(rules, version label) for the complaint's office: defaults, then the company's, then the office's.
    Kept per process under the `sla` generation stamp (bumped when a policy is saved or deleted): one
    stamp read instead of a query per action (docket.core.generations)."""
    return policy_for(complaint.company_id, complaint.office_id)


def policy_for(company_id: int, office_id: int) -> tuple[dict, str]:
    """`effective_policy` for a company and office (cached per process under the `sla` stamp)."""
    return generations.cached(
        ("sla-policy", company_id, office_id), (SLA,), lambda: _effective_policy_load(company_id, office_id)
    )


def _effective_policy_load(company_id: int, office_id: int) -> tuple[dict, str]:
    rows = {
        (p.office_id is not None): p
        # `office_id__in=[office, None]` would never match the company's row: Django drops None from IN.
        for p in SlaPolicy.objects.filter(
            Q(office_id=office_id) | Q(office__isnull=True), company_id=company_id
        ).only("office_id", "rules", "version")
    }
    rules = policies.DEFAULT_RULES
    label = []
    for is_office in (False, True):
        p = rows.get(is_office)
        if p is not None:
            rules = policies.merge(rules, p.rules)
            label.append(f"{'office' if is_office else 'company'}:{p.id}v{p.version}")
    return rules, ",".join(label) or "default"


def _policy(act: Act) -> tuple[dict, str]:
    """The effective policy, loaded once per action."""
    if act.policy is None:
        act.policy = effective_policy(act.complaint)
    return act.policy


def obligation_start(
    act: Act,
    kind: str,
    key: str | None = None,
    *,
    due_at: datetime | None = None,
    start: datetime | None = None,
) -> Obligation | None:
    """Start obligation `kind` (rule chosen by `key`: the method, or the severity) unless the policy sets
    none. `due_at` given means an external deadline (the forwarder's own, R-EXP-8)."""
    ob = obligation_plan(act, kind, key, due_at=due_at, start=start)
    if ob is not None:
        obligations_insert(act, [ob])
    return ob


def obligation_plan(
    act: Act,
    kind: str,
    key: str | None = None,
    *,
    due_at: datetime | None = None,
    start: datetime | None = None,
) -> Obligation | None:
    """The obligation `obligation_start` would start, not yet written (`obligations_insert` writes it):
    intake plans its deadlines before the complaint's row, which is written with the earliest due time."""
    c = act.complaint
    start = start or act.now
    rules, version = _policy(act)
    found = {"type": "fixed"} if due_at is not None else policies.rule_for(rules, kind, key)
    if found is None:
        return None
    rule: dict = found
    work = duetimes.calendar_for(c.company_id)
    plan = duetimes.schedule(rule, start, work, rules["warn_ratio"], due_at=due_at)
    return Obligation(
        complaint=c,
        company_id=c.company_id,
        office_id=c.office_id,
        kind=kind,
        started_at=start,
        due_at=plan.due_at,
        provisional=plan.provisional,
        holder_department_id=c.holder_department_id,
        holder_id=c.holder_id,
        rule=rule,
        policy_version=version,
        warn_at=plan.warn_at,
        next_check_at=plan.next_check_at,
    )


def obligations_insert(act: Act, rows: list[Obligation]) -> None:
    """Write planned obligations (one statement) and seal them into the action's last event."""
    compiled.insert(rows)
    act.obligations_changed = act.obligations_changed or bool(rows)
    for ob in rows:
        act.deadlines.append(
            {
                "obligation": ob.id,
                "kind": ob.kind,
                "due_at": ob.due_at,
                "provisional": ob.provisional,
                "policy": ob.policy_version,
            }
        )


def obligations_meet(act: Act, *kinds: str, at: datetime | None = None) -> int:
    """Mark the active obligations of these kinds fulfilled now, or `at` when the duty was done earlier
    than it is recorded (a first contact typed in afterwards); late ones stay `missed`, with met_at."""
    n = 0
    done = at or act.now
    for ob in Obligation.objects.select_for_update().filter(
        complaint=act.complaint, kind__in=kinds, state__in=ACTIVE_STATES, met_at__isnull=True
    ):
        ob.met_at = done
        if ob.state == Obligation.State.OPEN:
            ob.state = Obligation.State.MET if done <= ob.due_at else Obligation.State.MISSED
            if ob.state == Obligation.State.MISSED:
                ob.breached_at = ob.due_at
        ob.next_check_at = None
        ob.save(update_fields=["met_at", "state", "breached_at", "next_check_at"])
        n += 1
    act.obligations_changed = act.obligations_changed or n > 0
    return n


def obligations_cancel(act: Act, *, keep: tuple[str, ...] = (Obligation.Kind.FORWARDER_REPLY,)) -> None:
    """The complaint ended another way: open and paused obligations are cancelled (the forwarder's own
    deadline stays: the forwarder must still be answered)."""
    Obligation.objects.filter(
        complaint=act.complaint,
        state__in=[Obligation.State.OPEN, Obligation.State.PAUSED],
        met_at__isnull=True,
    ).exclude(kind__in=keep).update(state=Obligation.State.CANCELLED, next_check_at=None)
    Obligation.objects.filter(
        complaint=act.complaint, state=Obligation.State.MISSED, met_at__isnull=True
    ).exclude(kind__in=keep).update(next_check_at=None)
    act.obligations_changed = True


def obligations_follow_holder(act: Act) -> None:
    """Whoever holds the complaint now holds its running obligations (R-HDL-1); deadlines do not move."""
    c = act.complaint
    Obligation.objects.filter(complaint=c, met_at__isnull=True).exclude(
        state=Obligation.State.CANCELLED
    ).update(holder_department_id=c.holder_department_id, holder_id=c.holder_id)


def clock_pause(
    *, actor, complaint_id: int, reason: str, resume_on: datetime, expected_version: int | None = None
) -> Complaint:
    """Waiting on the complainant or a third party: stop the clock of every running obligation, with the
    reason and the expected resume time (R-EXP-5). The remaining working time is kept."""
    reason = text_required(reason, "暂停原因")
    with acting(
        actor=actor, complaint_id=complaint_id, action="clock_pause", expected_version=expected_version
    ) as act:
        c = act.complaint
        if c.paused_at is not None:
            raise DomainError("already_paused")
        if resume_on <= act.now:
            raise DomainError("validation", detail="预计恢复时间须晚于现在")
        work = duetimes.calendar_for(c.company_id)
        for ob in Obligation.objects.select_for_update().filter(complaint=c, state=Obligation.State.OPEN):
            ob.paused_working_minutes = (
                max(0.0, work.working_minutes_between(act.now, ob.due_at))
                if ob.rule.get("type") not in ("clock_minutes", "fixed")  # fixed: resumed in clock time
                else max(0.0, (ob.due_at - act.now).total_seconds() / 60)
            )
            ob.state, ob.paused_at, ob.next_check_at = Obligation.State.PAUSED, act.now, None
            ob.save(update_fields=["paused_working_minutes", "state", "paused_at", "next_check_at"])
        act.set(paused_at=act.now, pause_reason=reason, resume_on=resume_on)
        act.obligations_changed = True
        act.record("clock_paused", {"reason": reason, "resume_on": resume_on})
    return act.complaint


def _resume(act: Act) -> list[dict]:
    c = act.complaint
    work = duetimes.calendar_for(c.company_id)
    ratio = _policy(act)[0]["warn_ratio"]
    moved = []
    for ob in Obligation.objects.select_for_update().filter(complaint=c, state=Obligation.State.PAUSED):
        plan = duetimes.schedule(
            ob.rule, act.now, work, ratio, step=ob.step, remaining_minutes=ob.paused_working_minutes or 0.0
        )
        moved.append({"obligation": ob.id, "kind": ob.kind, "old_due_at": ob.due_at, "due_at": plan.due_at})
        ob.due_at, ob.state, ob.paused_at, ob.resumed_at = plan.due_at, Obligation.State.OPEN, None, act.now
        ob.provisional, ob.next_check_at = plan.provisional, plan.next_check_at
        ob.warn_at = plan.warn_at if ob.step == 0 else ob.warn_at
        ob.save(
            update_fields=[
                "due_at",
                "state",
                "paused_at",
                "resumed_at",
                "provisional",
                "next_check_at",
                "warn_at",
            ]
        )
    act.set(paused_at=None, pause_reason="", resume_on=None)
    act.obligations_changed = True
    return moved


def clock_resume(*, actor, complaint_id: int, expected_version: int | None = None) -> Complaint:
    """Restart the clock: each paused obligation gets its remaining time from now; the new due times are
    recorded (never a silent change)."""
    with acting(
        actor=actor, complaint_id=complaint_id, action="clock_resume", expected_version=expected_version
    ) as act:
        if act.complaint.paused_at is None:
            raise DomainError("not_paused")
        moved = _resume(act)
        act.record("clock_resumed", {"moved": moved})
    return act.complaint


def clock_resume_due(*, complaint_id: int, now: datetime) -> bool:
    """The expected resume time has come: the system resumes the clock (used by the sweep)."""
    with system_acting(
        actor=Actor.system("sweep"),
        complaint_id=complaint_id,
        action="clock_resume_due",  # the system's job, not the staff row
        now=now,
        where={"paused_at__isnull": False, "resume_on__lte": now},
    ) as act:
        if act is None:
            return False
        moved = _resume(act)
        act.record("clock_resumed", {"moved": moved, "automatic": True})
    return True


def acknowledge_send(
    *, actor, complaint_id: int, text: str, expected_version: int | None = None
) -> Complaint:
    """The courtesy reply that tells an online complainant the complaint was received (R-SLA-2, seed
    5.2.3.3.3); public on the complainant's timeline."""
    text = text_required(text, "回复内容")
    with acting(
        actor=actor, complaint_id=complaint_id, action="acknowledge_send", expected_version=expected_version
    ) as act:
        act.record("acknowledged", {"body": text})
        obligations_meet(act, "acknowledge")
    return act.complaint


def forwarder_reply_record(
    *, actor, complaint_id: int, text: str, expected_version: int | None = None
) -> Complaint:
    """The answer sent back to the government body or developer that forwarded the complaint, meeting
    its own deadline (R-EXP-8)."""
    text = text_required(text, "答复内容")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="forwarder_reply_record",
        expected_version=expected_version,
    ) as act:
        if not obligations_meet(act, "forwarder_reply"):
            raise DomainError("nothing_due", kind=Obligation.Kind.FORWARDER_REPLY.label)
        act.record("forwarder_replied", {"body": text, "ref": act.complaint.forwarder_ref})
    return act.complaint


def deadlines_recompute_provisional(*, now: datetime | None = None) -> int:
    """After a year's holiday data is loaded: recompute every running provisional deadline with the real
    calendar and record old and new due time on the complaint (R-SLA-1: provisional until the data is
    loaded, then recomputed, with an event). Returns the number of obligations changed."""
    from docket.core import clock

    now = now or clock.now()
    changed = 0
    ids = (
        Obligation.objects.filter(
            provisional=True,
            met_at__isnull=True,
            state__in=[Obligation.State.OPEN, Obligation.State.MISSED, Obligation.State.PAUSED],
        )
        .order_by()
        .values_list("complaint_id", flat=True)
        .distinct()
    )
    for complaint_id in list(ids):
        with system_acting(
            actor=Actor.system("recompute"), complaint_id=complaint_id, action="recompute", now=now
        ) as act:
            if act is None:
                continue
            c = act.complaint
            work = duetimes.calendar_for(c.company_id)
            ratio = _policy(act)[0]["warn_ratio"]
            moved = []
            for ob in (
                Obligation.objects.select_for_update()
                .filter(complaint=c, provisional=True, met_at__isnull=True)
                .exclude(state=Obligation.State.CANCELLED)
            ):
                resumed = ob.resumed_at is not None
                plan = duetimes.schedule(
                    ob.rule,
                    ob.resumed_at or ob.started_at,
                    work,
                    ratio,
                    step=ob.step,
                    remaining_minutes=(ob.paused_working_minutes or 0) if resumed else None,
                )
                old = ob.due_at
                ob.provisional = plan.provisional
                if plan.due_at != old:
                    ob.due_at = plan.due_at
                    if ob.state == Obligation.State.OPEN:
                        ob.next_check_at = plan.next_check_at
                        ob.warn_at = plan.warn_at if ob.step == 0 else ob.warn_at
                    moved.append(
                        {"obligation": ob.id, "kind": ob.kind, "old_due_at": old, "due_at": plan.due_at}
                    )
                    changed += 1
                ob.save(update_fields=["due_at", "provisional", "warn_at", "next_check_at"])
            if moved:
                act.record("deadline_recomputed", {"moved": moved})
                act.obligations_changed = True
    return changed
