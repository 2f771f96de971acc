"""Who is told when a notice about a complaint could not be delivered (notifications gives it up after its
retries): the office manager and the reception of the complaint's office, with the receipt number, so a
resident or a colleague who never got the message is reached another way. Registered with the
notifications app at start-up (apps.ComplaintsConfig.ready); notifications imports no domain app."""

from __future__ import annotations

from docket.accounts.models import Role, RoleAssignment, people_q

from .models import Complaint

PREFIX = "complaint:"
FAILURE_ROLES = (Role.OFFICE_MANAGER, Role.RECEPTION)


def failed_delivery_audience(n) -> tuple[list, int | None, int | None, str] | None:
    """(recipients as (user, role), company id, office id, label) for a given-up outbox row about a
    complaint; None for any other row."""
    if not (n.ref or "").startswith(PREFIX):
        return None
    try:
        complaint_id = int(n.ref[len(PREFIX) :])
    except ValueError:
        return None
    c = Complaint.objects.filter(pk=complaint_id).values("company_id", "office_id", "receipt_no").first()
    if c is None:
        return None
    rows = (
        RoleAssignment.objects.filter(people_q("user__"), office_id=c["office_id"], role__in=FAILURE_ROLES)
        .select_related("user")
        .order_by("user_id", "id")
    )
    return [(a.user, a.role) for a in rows], c["company_id"], c["office_id"], c["receipt_no"]
