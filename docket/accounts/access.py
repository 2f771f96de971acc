"""The permission policy's primitives: which roles a user holds, in which scopes.

`complaints.access` builds "may this user do this to this complaint" and "which complaints may this
user see" on top of these; every entry point goes through that (R-ORG-4).
"""

from __future__ import annotations

from docket.core import choices

from .models import RoleAssignment, User

_CACHE_ATTR = "_docket_role_assignments"


def assignments_of(user: User | None) -> list[RoleAssignment]:
    """The user's role assignments, loaded once per user object (i.e. once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user=user).select_related(
                "department", "office", "company", "group", "committee__community"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user: User) -> None:
    """Drop the cached assignments (after roles change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def role_label(assignment: RoleAssignment | None) -> str:
    if assignment is None:
        return "顾客"
    where = (
        assignment.department
        or assignment.office
        or assignment.company
        or assignment.group
        or assignment.committee
    )
    role = choices.display(assignment, "role")
    return f"{role}（{where}）" if where else str(role)
