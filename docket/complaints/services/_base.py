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
from ..models import Complaint, ComplaintEvent, ComplaintIssue


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

    def record(self, kind: str, payload: dict | None = None, public: bool | None = None) -> ComplaintEvent:
        event = event_append(
            complaint=self.complaint, actor=self.actor, assignment=self.assignment, kind=kind,
            payload=payload, public=public, at=self.now,
        )
        self.events.append(event)
        return event


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
def acting(*, actor, complaint_id: int, action: str, expected_version: int | None = None,
           issue_id: int | None = None) -> Iterator[Act]:
    """Run one action on one complaint atomically; see the module docstring."""
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().filter(pk=complaint_id).first()
        if complaint is None or not access.can_see(actor, complaint):
            raise DomainError("not_found")
        if expected_version is not None and complaint.version != expected_version:
            raise DomainError("conflict")
        issue = lock_issue(complaint, issue_id) if issue_id is not None else None
        assignment = access.require(actor, complaint, action, issue=issue)
        act = Act(complaint=complaint, actor=actor, assignment=assignment, action=action, now=clock.now(),
                  issue=issue)
        yield act
        act.set(version=complaint.version + 1, updated_at=act.now)
        complaint.save(update_fields=sorted(act.changed))
