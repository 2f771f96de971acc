"""The overdue sweep (R-SLA-3): warn before a deadline, then on breach tell the holder, then the holder's
superior, then QM — each step once, recorded on the complaint and sent through the outbox.

Cost: one indexed query for rows whose `next_check_at` has come (a partial index holds only running
obligations), so closed history never slows it down. Idempotent and safe on several consumers: each row is
handled in its own transaction with the complaint locked (SKIP LOCKED: a busy complaint waits for the
next run), and the step is re-read under the lock, so a step is never taken twice; notifications carry a
dedupe key per obligation and step. A crash loses nothing: an unfinished step rolls back and is retried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from docket.accounts.models import User
from docket.core import clock
from docket.notifications.service import notify
from docket.sla import duetimes, policies

from .. import audiences
from ..actors import Actor
from ..models import Complaint, Obligation
from ._base import Act, system_acting
from .obligations import clock_resume_due, effective_policy

WARNED, BREACHED, SUPERIOR, QM = 1, 2, 3, 4
STEP_NAMES = {WARNED: "warned", BREACHED: "breached", SUPERIOR: "superior", QM: "qm"}


@dataclass
class SweepResult:
    warned: int = 0
    breached: int = 0
    superior: int = 0
    qm: int = 0
    resumed: int = 0
    skipped: int = 0
    steps: list[tuple[int, int]] = field(default_factory=list)


class _RunCache:
    """What one sweep run looks up again and again: the effective policy per office and the people to
    tell per scope. Lives for one run only, so a policy or role change is seen by the next run."""

    def __init__(self) -> None:
        self._memo: dict[tuple, object] = {}

    def get(self, key: tuple, load):
        if key not in self._memo:
            self._memo[key] = load()
        return self._memo[key]


def _people(cache: _RunCache, who: str, ob: Obligation) -> list[tuple[User, str]]:
    """The audience `who` (complaints/audiences.py) of an obligation, looked up once per scope and run."""
    scope = {
        "holder": (ob.holder_id, ob.holder_department_id, ob.office_id, ob.company_id),
        "superiors": (ob.holder_id, ob.holder_department_id, ob.office_id),
        "qm": (ob.company_id,),
    }[who]
    return cache.get((who, *scope), lambda: audiences.audience(who, ob))


def _step(act: Act, ob: Obligation, cache: _RunCache) -> int:
    """Take the next due step of one locked obligation; returns the step taken."""
    c, now = act.complaint, act.now
    rules, _version = cache.get(("policy", c.office_id), lambda: effective_policy(c))
    work = duetimes.calendar_for(c.company_id)
    label = str(policies.KIND_LABELS.get(ob.kind, ob.kind))
    due_local = clock.to_local(ob.due_at).strftime("%Y-%m-%d %H:%M")
    if ob.step < WARNED and now < ob.due_at:
        step, kind, people = WARNED, "deadline_warning", _people(cache, "holder", ob)
        subject = f"【即将到期】{c.receipt_no} {label}须在 {due_local} 前完成"
        ob.next_check_at = ob.due_at
    elif ob.step < BREACHED:
        step, kind, people = BREACHED, "deadline_missed", _people(cache, "holder", ob)
        subject = f"【已逾期】{c.receipt_no} {label}已于 {due_local} 到期"
        ob.state, ob.breached_at = Obligation.State.MISSED, ob.due_at
        ob.next_check_at = work.add_working_minutes(ob.due_at, rules["superior_after_minutes"])
    elif ob.step < SUPERIOR:
        step, kind, people = SUPERIOR, "overdue_escalated", _people(cache, "superiors", ob)
        subject = f"【逾期催办】{c.receipt_no} {label}逾期未完成，请督办"
        ob.next_check_at = work.add_working_minutes(ob.due_at, rules["qm_after_minutes"])
    else:
        step, kind, people = QM, "overdue_escalated", _people(cache, "qm", ob)
        subject = f"【逾期上报品质管理部】{c.receipt_no} {label}逾期未完成"
        ob.next_check_at = None
    if ob.next_check_at is not None and ob.next_check_at <= now and step >= BREACHED:
        ob.next_check_at = now  # catch up one step per run, never several at once
    ob.step = step
    ob.save(update_fields=["step", "state", "breached_at", "next_check_at"])
    body = f"{c.subject}\n当前处理：{c.holder_department or '未派单'}；到期时间：{due_local}"
    notify(
        kind=kind,
        recipients=people,
        subject=subject,
        body=body,
        dedupe_key=f"sla:{ob.id}:{step}",
        company_id=c.company_id,
        office_id=c.office_id,
        ref=f"complaint:{c.id}",
    )
    act.record(
        kind,
        {
            "obligation": ob.id,
            "kind": ob.kind,
            "step": step,
            "due_at": ob.due_at,
            "notified": [str(u) for u, _role in people],
        },
    )
    act.obligations_changed = True
    return step


def due_steps(now: datetime, batch: int = 500) -> list[tuple[int, int, int]]:
    """(obligation, complaint, step seen) for every step due at `now`: one indexed query."""
    return list(
        Obligation.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("id", "complaint_id", "step")[:batch]
    )


def take_steps(due: list[tuple[int, int, int]], now: datetime, result: SweepResult) -> None:
    """Take each due step in its own transaction. The step seen when the list was read must still be the
    obligation's step under the lock: a run that overlaps a slower one never takes a second step of an
    obligation the other run has just moved on."""
    cache = _RunCache()
    for ob_id, complaint_id, seen_step in due:
        with system_acting(
            actor=Actor.system("sweep"), complaint_id=complaint_id, action="sweep", now=now, skip_locked=True
        ) as act:
            if act is None:  # busy elsewhere (or gone): the next run comes back to it
                result.skipped += 1
                continue
            ob = (
                Obligation.objects.select_for_update(of=("self",))
                .select_related("holder", "holder_department")
                .filter(pk=ob_id, next_check_at__lte=now, step=seen_step)
                .first()
            )
            if ob is None:  # another consumer (or an overlapping run) took this step first
                result.skipped += 1
                continue
            step = _step(act, ob, cache)
        result.steps.append((ob_id, step))
        name = STEP_NAMES[step]
        setattr(result, name, getattr(result, name) + 1)


def overdue_sweep(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    """One pass over everything due. Returns what it did (for logs and tests)."""
    now = now or clock.now()
    result = SweepResult()
    take_steps(due_steps(now, batch), now, result)
    for cid in Complaint.objects.filter(paused_at__isnull=False, resume_on__lte=now).values_list(
        "id", flat=True
    )[:batch]:
        result.resumed += int(clock_resume_due(complaint_id=cid, now=now))
    return result
