"""The seed's procedure steps that the first lifecycle left out (issue 15; SPEC R-PRC-4..8):

- first contact (seed document 5 §4.3, R-HDL-1): the department that takes a complaint contacts the
  complainant at once, apologising first; an obligation from the hand-over (`first_contact`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from docket.core.errors import DomainError

from ..models import ContactMethod, FirstContact, Obligation
from ._base import Act, acting, text_required
from .obligations import obligation_start, obligations_meet

# A contact time a few minutes ahead of the server's clock is a typing or clock difference, not the future.
CONTACT_CLOCK_SKEW = timedelta(minutes=5)


def first_contact_due(act: Act) -> None:
    """Start the first-contact obligation when a complaint is handed to a department (assign): only for a
    complainant who can be reached and only once (a complaint handed over again after a refusal keeps the
    deadline it already has; it follows the holder)."""
    c = act.complaint
    if not c.contactable or FirstContact.objects.filter(complaint=c).exists():
        return
    running = Obligation.objects.filter(
        complaint=c,
        kind=Obligation.Kind.FIRST_CONTACT,
        state__in=[Obligation.State.OPEN, Obligation.State.MISSED, Obligation.State.PAUSED],
        met_at__isnull=True,
    )
    if not running.exists():
        obligation_start(act, Obligation.Kind.FIRST_CONTACT)


def first_contact_record(
    *,
    actor,
    complaint_id: int,
    method: str,
    summary: str,
    apologised: bool,
    no_apology_reason: str = "",
    contacted_at: datetime | None = None,
    expected_version: int | None = None,
) -> FirstContact:
    """The department's first contact with the complainant (document 5 §4.3): how and when, what was
    explained, and whether it opened with an apology; without one the reason is required (e.g. an
    unreasonable complaint, thanked instead, 5.2.2.2). Meets the first-contact deadline."""
    if method not in ContactMethod.values:
        raise DomainError("validation", detail="请选择联系方式")
    summary = text_required(summary, "联系情况")
    no_apology_reason = (no_apology_reason or "").strip()
    if not apologised and not no_apology_reason:
        raise DomainError("required", field="未道歉的原因")
    with acting(
        actor=actor,
        complaint_id=complaint_id,
        action="first_contact_record",
        expected_version=expected_version,
    ) as act:
        c = act.complaint
        if not c.contactable:
            raise DomainError("not_contactable")
        if FirstContact.objects.filter(complaint=c).exists():
            raise DomainError("first_contact_done")
        at = contacted_at or act.now
        if at > act.now + CONTACT_CLOCK_SKEW:
            raise DomainError("validation", detail="联系时间不能晚于现在")
        if at < c.received_at:
            raise DomainError("validation", detail="联系时间不能早于受理时间")
        contact = FirstContact.objects.create(
            complaint=c,
            company_id=c.company_id,
            method=method,
            contacted_at=at,
            summary=summary,
            apologised=apologised,
            no_apology_reason="" if apologised else no_apology_reason,
            recorded_by=actor,
            recorded_at=act.now,
        )
        act.record(
            "first_contact_recorded",
            {
                "contact_method": method,
                "contacted_at": at,
                "summary": summary,
                "apologised": apologised,
                "no_apology_reason": contact.no_apology_reason,
            },
        )
        # The deadline is met when the contact happened, not when it was typed in.
        obligations_meet(act, Obligation.Kind.FIRST_CONTACT, at=at)
    return contact
