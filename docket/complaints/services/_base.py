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

from django.db import transaction

from docket.accounts.models import RoleAssignment
from docket.core import clock
from docket.core.errors import DomainError

from .. import access, workflow
from ..events import event_append
from ..models import TERMINAL_STATES, Complaint, ComplaintEvent, ComplaintIssue, Obligation


@dataclass
class Act:
    complaint: Complaint
    actor: object
    assignment: RoleAssignment | None
    action: str
    now: datetime
    issue: ComplaintIssue | None = None
    changed: set[str] = field(default_factory=set)
    events: list[ComplaintEvent] = field(default_factory=list)
    pending: list[tuple[str, dict, bool | None]] = field(default_factory=list)
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

    def record(self, kind: str, payload: dict | None = None, public: bool | None = None) -> None:
        """Queue an event; `flush()` writes the queue at the end of the action, so deadlines started by
        the action travel in its last event's payload (and so in the hash chain)."""
        self.pending.append((kind, dict(payload or {}), public))

    def flush(self) -> None:
        if self.deadlines and self.pending:
            kind, payload, public = self.pending[-1]
            self.pending[-1] = (kind, {**payload, "deadlines": self.deadlines}, public)
        for kind, payload, public in self.pending:
            self.events.append(
                event_append(
                    complaint=self.complaint,
                    actor=self.actor,
                    assignment=self.assignment,
                    kind=kind,
                    payload=payload,
                    public=public,
                    at=self.now,
                )
            )
        self.pending, self.deadlines = [], []

    def finish(self) -> None:
        """End the action: write the queued events, keep `next_due_at` when obligations changed, bump the
        version and save exactly the changed fields. `acting()` calls it; so do the system's own steps
        (the sweep, automatic resume, recomputation, the complainant's chase), which lock the row
        themselves because no staff policy applies to them."""
        self.flush()
        if self.obligations_changed:
            next_due_refresh(self)
        self.set(version=self.complaint.version + 1, updated_at=self.now)
        self.complaint.save(update_fields=sorted(self.changed))


def next_due_refresh(act: Act) -> None:
    """Keep Complaint.next_due_at = the earliest due time of running (not paused) obligations. Once the
    complaint has ended only the forwarder's own deadline still runs (it must be answered whatever the
    outcome); everything else no longer counts, so ended complaints never look overdue."""
    running = Obligation.objects.filter(
        complaint=act.complaint,
        state__in=[Obligation.State.OPEN, Obligation.State.MISSED],
        met_at__isnull=True,
    )
    if act.complaint.state in TERMINAL_STATES:
        running = running.filter(kind=Obligation.Kind.FORWARDER_REPLY)
    first = running.order_by("due_at").values_list("due_at", flat=True).first()
    if first != act.complaint.next_due_at:
        act.set(next_due_at=first)


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
        complaint = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
        if complaint is None or not access.can_see(actor, complaint):
            raise DomainError("not_found")
        if expected_version is not None and complaint.version != expected_version:
            raise DomainError("conflict")
        issue = lock_issue(complaint, issue_id) if issue_id is not None else None
        assignment = access.require(actor, complaint, action, issue=issue)
        act = Act(
            complaint=complaint,
            actor=actor,
            assignment=assignment,
            action=action,
            now=clock.now(),
            issue=issue,
        )
        yield act
        act.finish()
