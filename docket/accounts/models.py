"""Users and the roles they hold, each in a scope (R-ORG-4)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company, Department, Group, Office, OwnersCommittee


class User(AbstractUser):
    """A person who signs in: staff, committee members. `display_name` is what the record freezes."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    # An integration's or a mailbox's own account (API key, IMAP inbox): it acts, it is never told.
    is_service = models.BooleanField(_("服务账号"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


def people_q(path: str = "") -> Q:
    """The accounts that stand for a person at work: active (not deactivated) and not a service account (an
    integration's or a mailbox's own: it acts, it is never told and never handles). The one predicate of who
    is told (the notices' audiences, a failed delivery's) and who may be named to handle a complaint
    (`complaints.access.responsible_assignments`). `path` leads from the model filtered to the user:
    `"user__"` from a RoleAssignment, `""` on User itself."""
    return Q(**{f"{path}is_active": True, f"{path}is_service": False})


class Role(models.TextChoices):
    """Every role SPEC names. The scope a role is held in is fixed by ROLE_SCOPE."""

    RECEPTION = "reception", _("接待/客服")
    DEPT_STAFF = "dept_staff", _("部门员工")
    DEPT_SUPERVISOR = "dept_supervisor", _("部门主管")
    DEPT_MANAGER = "dept_manager", _("部门经理")
    OFFICE_MANAGER = "office_manager", _("管理处经理")
    QM = "qm", _("品质管理部")
    GENERAL_OFFICE = "general_office", _("办公室（法务审核）")
    MGMT_REP = "mgmt_rep", _("管理者代表")
    LEADERSHIP = "leadership", _("公司领导")
    GROUP_PROPERTY = "group_property", _("集团物业管理部")
    COMMITTEE_MEMBER = "committee_member", _("业委会成员")
    # escalation (issue 12): watches online complaints and alerts the office at once (seed 5.2.3.3.1).
    QM_INFO_OFFICER = "qm_info_officer", _("品质管理部信息管理员")


class Scope(models.TextChoices):
    GROUP = "group", _("集团")
    COMPANY = "company", _("公司")
    OFFICE = "office", _("管理处")
    DEPARTMENT = "department", _("部门")
    COMMITTEE = "committee", _("业委会")


ROLE_SCOPE: dict[str, str] = {
    Role.RECEPTION: Scope.OFFICE,
    Role.DEPT_STAFF: Scope.DEPARTMENT,
    Role.DEPT_SUPERVISOR: Scope.DEPARTMENT,
    Role.DEPT_MANAGER: Scope.DEPARTMENT,
    Role.OFFICE_MANAGER: Scope.OFFICE,
    Role.QM: Scope.COMPANY,
    Role.GENERAL_OFFICE: Scope.COMPANY,
    Role.MGMT_REP: Scope.COMPANY,
    Role.LEADERSHIP: Scope.COMPANY,
    Role.GROUP_PROPERTY: Scope.GROUP,
    Role.COMMITTEE_MEMBER: Scope.COMMITTEE,
    Role.QM_INFO_OFFICER: Scope.COMPANY,  # escalation (issue 12)
}


class RoleAssignment(models.Model):
    """User U holds role R in one scope. Exactly the scope field that ROLE_SCOPE names is set; the wider
    ones are filled in too (a department's office and company) so queries can filter on any level.

    `compensation_limit` is the largest compensation (yuan) this holder may approve (R-HDL-7); empty
    means none.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("集团"))
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("公司")
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("管理处")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("部门")
    )
    committee = models.ForeignKey(
        OwnersCommittee, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("业委会")
    )
    compensation_limit = models.DecimalField(
        _("赔偿审批权限（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "group", "company", "office", "department", "committee"],
                name="role_assignment_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        where = self.department or self.office or self.company or self.group or self.committee
        return f"{self.user} · {self.get_role_display()} · {where}"

    @property
    def scope(self) -> str:
        return ROLE_SCOPE[self.role]

    def clean(self) -> None:
        """Fill the wider scope levels from the narrowest one and refuse a scope that does not fit."""
        scope = self.scope
        if scope == Scope.DEPARTMENT:
            department = self.department
            if department is None:
                raise ValidationError({"department": _("该角色须指定部门。")})
            self.company_id = department.company_id
            self.office_id = department.office_id
            self.group_id = department.company.group_id
        elif scope == Scope.OFFICE:
            office = self.office
            if office is None:
                raise ValidationError({"office": _("该角色须指定管理处。")})
            self.company_id = office.company_id
            self.group_id = office.company.group_id
            self.department = None
        elif scope == Scope.COMPANY:
            company = self.company
            if company is None:
                raise ValidationError({"company": _("该角色须指定公司。")})
            self.group_id = company.group_id
            self.office = None
            self.department = None
        elif scope == Scope.GROUP:
            if not self.group_id:
                raise ValidationError({"group": _("该角色须指定集团。")})
            self.company = self.office = self.department = None
        elif scope == Scope.COMMITTEE:
            committee = self.committee
            if committee is None:
                raise ValidationError({"committee": _("该角色须指定业委会。")})
            office = committee.community.office
            self.office_id = office.id
            self.company_id = office.company_id
            self.group_id = office.company.group_id
            self.department = None
