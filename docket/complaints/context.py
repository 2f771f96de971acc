"""Which menu entries the signed-in user may use (so nothing is shown that would be refused)."""

from docket.accounts.access import assignments_of
from docket.accounts.models import Role

from .scopes import CASE_LIBRARY_ROLES, ESCALATION_BOARD_ROLES, FRONT_DESK_ROLES, REGISTER_ROLES


def nav(request):
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {}
    roles = {a.role for a in assignments_of(user)}
    return {
        "nav_can_register": bool(roles & REGISTER_ROLES),
        "nav_front_desk": bool(roles & FRONT_DESK_ROLES),
        "nav_privacy": Role.QM in roles,
        "nav_escalation": bool(roles & ESCALATION_BOARD_ROLES),  # escalation (issue 12)
        "nav_cases": bool(roles & CASE_LIBRARY_ROLES),  # the committee's 案例库 answered 404 (the walk)
    }
