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


# --- two-step sign-in (TOTP, django-otp) --------------------------------------------------------
# Optional for staff: a user with a confirmed TOTP device must give its code after the password (the
# login view asks for it). Enrolment creates an unconfirmed device, shows it as a QR code, and confirms
# it only when the user has typed a valid code from the app — so nobody is locked out by a half-done
# enrolment. Administrators remove a lost device in the admin (TOTP devices).


def otp_device_for(user: User):
    """The user's confirmed TOTP device, or None (no two-step sign-in)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


@transaction.atomic
def otp_enrolment_start(*, user: User):
    """The unconfirmed device being enrolled (created on first call; kept until confirmed), or None when
    the user already has a confirmed one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if otp_device_for(user) is not None:
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


@transaction.atomic
def otp_enrolment_confirm(*, user: User, token: str) -> bool:
    """Confirm the pending device with a code from the app; False when the code is wrong."""
    device = otp_enrolment_start(user=user)
    if device is None or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


@transaction.atomic
def otp_disable(*, user: User, token: str) -> bool:
    """Switch two-step sign-in off; needs a current code, so a borrowed session cannot do it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = otp_device_for(user)
    if device is None or not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user).delete()
    return True
