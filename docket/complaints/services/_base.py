"""The frame every complaint service runs in (ARCHITECTURE.md, Where logic lives).

`acting()` opens the transaction, locks the row, checks the expected version (optimistic concurrency: a
page or API client that saw version N and acts after someone else changed it gets `conflict`), checks
the policy and the workflow, and on success bumps the version and saves exactly the changed fields.
Events are appended through `Act.record()` in the same transaction, so a failure leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from docket.core import clock
from docket.core.compiled import Compiled, CompiledBy, q_build, q_shape
from docket.core.errors import DomainError

from .. import access, kinds, reactions, workflow
from ..actors import Actor
from ..events import event_append
from ..models import TERMINAL_STATES, Complaint, ComplaintEvent, ComplaintIssue, Obligation
from ..notices import event_notify


@dataclass
class Act:
    complaint: Complaint
    actor: Actor
    action: str
    now: datetime
    issue: ComplaintIssue | None = None
    changed: set[str] = field(default_factory=set)
    events: list[ComplaintEvent] = field(default_factory=list)
    pending: list[tuple[str, dict]] = field(default_factory=list)
    deadlines: list[dict] = field(default_factory=list)
    obligations_changed: bool = False  # set by the deadline services; next_due_at is refreshed only then
    policy: tuple | None = None  # the effective SLA policy, loaded once per action

    def set(self, **values) -> None:
        """Set fields on the complaint and remember them for `save(update_fields=…)`."""
        for name, value in values.items():
            setattr(self.complaint, name, value)
            self.changed.add(name)

    def move(self, target: str | None = None) -> str:
        """Apply this action's transition (workflow.apply_transition); returns the old state."""
        old = workflow.apply_transition(self.complaint, self.action, target)
        if old != self.complaint.state:
            self.changed.add("state")
        return old

    def record(self, kind: str, payload: dict | None = None) -> None:
        """Queue an event of a registered kind (kinds.py; an unknown kind fails here, loudly); `flush()`
        writes the queue at the end of the action, so deadlines started by the action travel in its last
        event's payload (and so in the hash chain). Whether it is public is the kind's to say."""
        kinds.get(kind)
        self.pending.append((kind, dict(payload or {})))

    def flush(self) -> None:
        if self.deadlines and self.pending:
            kind, payload = self.pending[-1]
            self.pending[-1] = (kind, {**payload, "deadlines": self.deadlines})
        for kind, payload in self.pending:
            self.events.append(
                event_append(
                    complaint=self.complaint, actor=self.actor, kind=kind, payload=payload, at=self.now
                )
            )
        self.pending, self.deadlines = [], []

    def finish(self) -> None:
        """End the action: write the queued events, keep `next_due_at` when obligations changed, bump the
        version, save exactly the changed fields, then raise each event's notices (complaints/notices.py;
        the outbox rows join this transaction). Every action frame calls it: `acting()`,
        `system_acting()`, `complainant_acting()`, and intake."""
        self.flush()
        if self.obligations_changed:
            next_due_refresh(self)
        self.set(version=self.complaint.version + 1, updated_at=self.now)
        self.complaint.save(update_fields=sorted(self.changed))
        self.notify()

    def notify(self) -> bool:
        """Raise the notices of the events this action wrote (complaints/notices.py), once, after the
        complaint row holds its new state (notices read its holder, review stage and next due time).
        Then the other apps' reactions (reactions.py; escalation, issue 12): True when one changed the
        complaint (re-read here)."""
        for event in self.events:
            event_notify(event)
        if self.events and reactions.run(
            self.complaint.pk, {e.kind for e in self.events}, complaint=self.complaint
        ):
            reload_row(self.complaint)
            return True
        return False


def reload_row(complaint: Complaint) -> None:
    """Re-read the complaint's own columns after another frame changed its row (a reaction's system action),
    keeping the related rows already loaded whose key did not change (the intake's answer shows the office,
    room, unit and building it just wrote: `refresh_from_db()` would drop them and cost a query each)."""
    fresh = next(iter(_row(complaint.pk)), None)
    if fresh is None:
        raise Complaint.DoesNotExist
    field: Any
    for field in Complaint._meta.concrete_fields:
        value = getattr(fresh, field.attname)
        if field.is_relation and field.is_cached(complaint) and getattr(complaint, field.attname) != value:
            field.delete_cached_value(complaint)
        setattr(complaint, field.attname, value)
    for rel in Complaint._meta.related_objects:  # reverse relations may have changed: read again
        if rel.is_cached(complaint):
            rel.delete_cached_value(complaint)
    if hasattr(complaint, "_prefetched_objects_cache"):
        complaint._prefetched_objects_cache = {}


def next_due_refresh(act: Act, started: list[datetime] | None = None) -> None:
    """Keep Complaint.next_due_at = the earliest due time of running (not paused) obligations. Once the
    complaint has ended only the forwarder's own deadline still runs (it must be answered whatever the
    outcome), and an unclosed complaint's progress reports (5.2.5.2); everything else no longer counts, so ended complaints never look overdue. `started`: for a
    new complaint, the due times of the obligations intake just started — all it has, so no query."""
    if started is not None:
        first_started = min(started) if started else None
        if first_started != act.complaint.next_due_at:
            act.set(next_due_at=first_started)
        return
    ended = act.complaint.state in TERMINAL_STATES
    found = _first_due(ended, ended, act.complaint.pk)
    first = found[0] if found else None
    if first != act.complaint.next_due_at:
        act.set(next_due_at=first)


def _running(pk, ended: bool):
    running = Obligation.objects.filter(
        complaint_id=pk,
        state__in=[Obligation.State.OPEN, Obligation.State.MISSED],
        met_at__isnull=True,
    )
    if ended:
        # ... the progress reports of an unclosed complaint (seed 5.2.5.2, issue 15), and a second-stage
        # review asked for after closure (portal answers, issue 11), which runs on a closed record.
        running = running.filter(
            kind__in=[
                Obligation.Kind.FORWARDER_REPLY,
                Obligation.Kind.PROGRESS_UPDATE,
                Obligation.Kind.SECOND_REVIEW,
            ]
        )
    return running.order_by("due_at").values_list("due_at", flat=True)[:1]


# The statements every action runs (the row lock, the next due time, a reaction's re-read), compiled once per
# process (docket.core.compiled): building them cost more CPU than PostgreSQL spent answering them.
_first_due = CompiledBy(lambda ended, pk: _running(pk, ended), limit=4, prepare=True)
_row = Compiled(lambda pk: Complaint.objects.filter(pk=pk))
_locked = CompiledBy(
    lambda shape, pk, *values: (
        Complaint.objects.select_for_update(skip_locked=shape[0])
        .filter(q_build(shape[1], values), pk=pk)
        .order_by("pk")[:1]
    ),
    limit=64,
    prepare=True,
)


def locked_row(complaint_id: int, where: dict | None = None, skip_locked: bool = False) -> Complaint | None:
    """The complaint's full row, locked (`SELECT … FOR UPDATE`, skipping a row locked by someone else with
    `skip_locked`), or None when it is gone or no longer meets `where` (lookups of the complaint's own
    columns): compiled once per `skip_locked` and shape of `where` (`compiled.q_shape`), through the ORM
    when `where` holds a value a compiled statement cannot bind (a time)."""
    q = Q(**(where or {}))
    split = q_shape(q)
    if split is None:
        rows = Complaint.objects.select_for_update(skip_locked=skip_locked).filter(q, pk=complaint_id)
        return rows.order_by("pk").first()
    shape = (skip_locked, split[0])
    found = _locked(shape, shape, complaint_id, *split[1])
    return found[0] if found else None


def text_required(value: str | None, field_label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError("required", field=field_label)
    return value


def lock_issue(complaint: Complaint, issue_id: int) -> ComplaintIssue:
    issue = ComplaintIssue.objects.select_for_update().filter(pk=issue_id, complaint=complaint).first()
    if issue is None:
        raise DomainError("not_found")
    return issue


@contextmanager
def acting(
    *, actor, complaint_id: int, action: str, expected_version: int | None = None, issue_id: int | None = None
) -> Iterator[Act]:
    """Run one action on one complaint atomically; see the module docstring."""
    with transaction.atomic():
        complaint = locked_row(complaint_id)
        if complaint is None or not access.can_see(actor, complaint):
            raise DomainError("not_found")
        if expected_version is not None and complaint.version != expected_version:
            raise DomainError("conflict")
        issue = lock_issue(complaint, issue_id) if issue_id is not None else None
        assignment = access.require(actor, complaint, action, issue=issue)
        act = Act(
            complaint=complaint,
            actor=Actor.of_user(actor, assignment),
            action=action,
            now=clock.now(),
            issue=issue,
        )
        yield act
        act.finish()


@contextmanager
def system_acting(
    *,
    actor: Actor,
    complaint_id: int,
    action: str,
    now: datetime | None = None,
    where: dict | None = None,
    skip_locked: bool = False,
) -> Iterator[Act | None]:
    """The frame for actions without a staff role: the system's own jobs (`Actor.system(job)`) and the
    complainant (`Actor.complainant(via)`). It locks the row and finishes the action exactly like
    `acting()`, but no staff policy applies: the caller has already decided that this actor may act (a
    due step, a receipt code); for a workflow row it checks the state and that the row is this kind of
    actor's (`Action.actors`). It yields None, and writes nothing, when the row is gone, no longer meets
    `where` (conditions re-checked under the lock, e.g. still paused) or, with `skip_locked` (periodic
    jobs, which come back next run), is locked by someone else. An action that queued no event and set
    no field is not finished (no version bump for nothing)."""
    with transaction.atomic():
        complaint = locked_row(complaint_id, where, skip_locked)
        if complaint is None:
            yield None
            return
        spec = workflow.ACTIONS.get(action)
        if spec is not None:  # a workflow row: its state, and whether this kind of actor takes it
            if actor.kind not in spec.actors:
                raise DomainError("forbidden_action")
            workflow.check(complaint.state, action)
        act = Act(complaint=complaint, actor=actor, action=action, now=now or clock.now())
        yield act
        if act.pending or act.changed or act.events:
            act.finish()
