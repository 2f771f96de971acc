"""Account services: granting roles (admin, demo data, tests all call this)."""

from decimal import Decimal

from django.db import transaction

from .models import RoleAssignment, User


@transaction.atomic
def role_grant(
    *, user: User, role: str, scope_obj, compensation_limit: Decimal | None = None
) -> RoleAssignment:
    """Give `user` the `role` in `scope_obj` (a Group, Company, Office, Department or OwnersCommittee).

    The scope must be of the kind the role requires (ROLE_SCOPE); wider levels are filled in.
    """
    from docket.org.models import Company, Department, Group, Office, OwnersCommittee

    field = {
        Group: "group",
        Company: "company",
        Office: "office",
        Department: "department",
        OwnersCommittee: "committee",
    }[type(scope_obj)]
    assignment = RoleAssignment(user=user, role=role, compensation_limit=compensation_limit)
    setattr(assignment, field, scope_obj)
    assignment.full_clean(validate_unique=False, validate_constraints=False)
    # Relation lookups with ids (None matches NULL): django-stubs refuses None for `<fk>_id=`, not here.
    existing = RoleAssignment.objects.filter(
        user=user,
        role=role,
        group=assignment.group_id,
        company=assignment.company_id,
        office=assignment.office_id,
        department=assignment.department_id,
        committee=assignment.committee_id,
    ).first()
    if existing:
        if existing.compensation_limit != compensation_limit:
            existing.compensation_limit = compensation_limit
            existing.save(update_fields=["compensation_limit"])
        return existing
    assignment.save()
    return assignment
