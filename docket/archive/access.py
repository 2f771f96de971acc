"""Who may export a complaint's archive (R-ANA-5, R-ESC-2): QM and leadership for the complaints of their
company, the office (its manager and front desk, who keep the paper archive) for the complaints of its
own office — always a complaint they can see. Everyone else, the owners' committee included, gets 404."""

from __future__ import annotations

from docket.accounts.access import assignments_of
from docket.accounts.models import Role
from docket.complaints import scopes

COMPANY_ROLES = frozenset({Role.QM, Role.LEADERSHIP})
OFFICE_ROLES = frozenset({Role.OFFICE_MANAGER, Role.RECEPTION})


def may_export_bundle(user, complaint) -> bool:
    """The bundle carries the record chain verbatim (its hashes must verify), so personal data in it is
    unmasked: only an exporter who sees the complainant in full (complaints/privacy.sees_full) gets it.
    Leadership, who sees names and phones masked, exports the PDF (masked for them) only."""
    from docket.complaints import privacy

    return may_export(user, complaint) and privacy.sees_full(user, complaint)


def may_export(user, complaint) -> bool:
    for a in assignments_of(user):
        if (a.role in COMPANY_ROLES and a.company_id == complaint.company_id) or (
            a.role in OFFICE_ROLES and a.office_id == complaint.office_id
        ):
            return scopes.can_see(user, complaint)
    return False
