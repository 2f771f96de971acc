"""The organisation tree and the places complaints are about (R-ORG-1..3).

Group → company → management office (one per community) → departments. The company also has its own
departments (QM, general office, leadership). Communities have buildings, units and rooms.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from docket.core.models import TimeStampedModel


class Group(TimeStampedModel):
    """The group (集团); its property-management department watches hot and major complaints (R-ORG-4)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(_("代码"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("集团")
        verbose_name_plural = _("集团")

    def __str__(self) -> str:
        return self.name


class Company(TimeStampedModel):
    """A property-management company (物业公司). The distribution key at scale (ARCHITECTURE.md, Scale)."""

    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="companies", verbose_name=_("集团")
    )
    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.SlugField(_("代码"), max_length=20, unique=True)
    # seed part 2 (issue 15): the company's controlled-form numbers by form ({"work_log": "TJ**WY7.2.3-K01-F1"});
    # a form not listed prints the seed's number (`docket.org.form_numbers`).
    form_numbers = models.JSONField(_("受控表格编号"), default=dict, blank=True)

    class Meta:
        verbose_name = _("物业公司")
        verbose_name_plural = _("物业公司")

    def __str__(self) -> str:
        return self.name


class Office(TimeStampedModel):
    """A management office (管理处), one per community/project. Every complaint belongs to one (R-ORG-1)."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="offices", verbose_name=_("物业公司")
    )
    name = models.CharField(_("名称"), max_length=100)
    # Short upper-case code used in receipt numbers, e.g. CYY-20261127-0001.
    code = models.CharField(_("代码"), max_length=10, unique=True)
    phone = models.CharField(_("投诉电话"), max_length=40, blank=True)
    # --- portal filing (issue 11): the published complaint channels (seed 5.2.1.1, R-PRC-2) ---
    fax = models.CharField(_("传真"), max_length=40, blank=True)
    email = models.EmailField(_("投诉邮箱"), max_length=120, blank=True)
    postal_address = models.CharField(_("信函投递地址"), max_length=200, blank=True)
    contact_post = models.CharField(_("受理投诉的指定岗位"), max_length=60, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=40, blank=True)
    office_hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    hotline_24h = models.CharField(_("24小时值班电话"), max_length=40, blank=True)
    # --- end portal filing ---

    class Meta:
        verbose_name = _("管理处")
        verbose_name_plural = _("管理处")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="office_unique_name")]

    def __str__(self) -> str:
        return self.name


class Community(TimeStampedModel):
    """A residential community (小区/项目), managed by exactly one office."""

    office = models.OneToOneField(
        Office, on_delete=models.PROTECT, related_name="community", verbose_name=_("管理处")
    )
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("小区")
    )
    name = models.CharField(_("楼栋"), max_length=40)

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="building_unique_name")]

    def __str__(self) -> str:
        return f"{self.community.name} {self.name}"


class Unit(models.Model):
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("楼栋")
    )
    name = models.CharField(_("单元"), max_length=40)

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return f"{self.building.name}{self.name}"


class Room(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rooms", verbose_name=_("单元"))
    number = models.CharField(_("房号"), max_length=20)

    class Meta:
        verbose_name = _("房屋")
        verbose_name_plural = _("房屋")
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="room_unique_number")]
        # The top bar's search finds a complaint by its room's number, in every unit (issue 14, search5).
        indexes = [models.Index(fields=["number"], name="room_number")]

    def __str__(self) -> str:
        return f"{self.unit.building.name}{self.unit.name}{self.number}"


class PublicArea(models.Model):
    """A shared place of a community a complaint can concern (R-ORG-2; seed part 2, issue 15): a gate, the car
    park, a garden, the clubhouse … optionally beside one building (a bicycle shed of 3号楼)."""

    class Kind(models.TextChoices):
        GATE = "gate", _("大门/出入口")
        CAR_PARK = "car_park", _("停车场")
        GARDEN = "garden", _("园林绿化")
        CLUBHOUSE = "clubhouse", _("会所")
        ROAD = "road", _("道路")
        OTHER = "other", _("其他公共区域")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="public_areas", verbose_name=_("小区")
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    name = models.CharField(_("名称"), max_length=60)
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所在楼栋"),
    )

    class Meta:
        verbose_name = _("公共区域")
        verbose_name_plural = _("公共区域")
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="public_area_unique_name")]

    def __str__(self) -> str:
        return self.name


class Resident(TimeStampedModel):
    """A known owner or tenant, so intake can fill the record from a unit or a phone number (R-EXP-1)."""

    class Kind(models.TextChoices):
        OWNER = "owner", _("业主")
        TENANT = "tenant", _("住户")

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="residents", verbose_name=_("房屋"))
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, db_index=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.OWNER)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")

    def __str__(self) -> str:
        return f"{self.name} ({self.room})"


class Department(TimeStampedModel):
    """A department. Office departments have `office` set; company departments (QM, general office,
    leadership, management representative's office) have it empty (R-ORG-1)."""

    class Kind(models.TextChoices):
        CUSTOMER_SERVICE = "customer_service", _("客服")
        ENGINEERING = "engineering", _("工程")
        SECURITY = "security", _("安保/秩序")
        CLEANING = "cleaning", _("保洁")
        GREENING = "greening", _("绿化")
        FINANCE = "finance", _("财务")
        QM = "qm", _("品质管理部")
        GENERAL_OFFICE = "general_office", _("办公室")
        LEADERSHIP = "leadership", _("公司管理层")
        OTHER = "other", _("其他")

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="departments", verbose_name=_("物业公司")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="departments",
        null=True,
        blank=True,
        verbose_name=_("管理处"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [
            models.UniqueConstraint(fields=["company", "office", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        office = self.office  # None without a query when office_id is None
        return f"{office.name if office is not None else self.company.name} · {self.name}"

    @property
    def is_company_level(self) -> bool:
        return self.office_id is None


class OwnersCommittee(TimeStampedModel):
    """An owners' committee (业主委员会) of one community (R-ORG-3); its members hold the
    `committee_member` role scoped to it."""

    community = models.OneToOneField(
        Community, on_delete=models.PROTECT, related_name="committee", verbose_name=_("小区")
    )
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("业主委员会")
        verbose_name_plural = _("业主委员会")

    def __str__(self) -> str:
        return self.name


class ExternalParty(TimeStampedModel):
    """Someone outside the company that sends or receives complaints: the developer's customer-relations
    centre, government bodies (信访, 12345 hotline) (SPEC, users)."""

    class Kind(models.TextChoices):
        DEVELOPER = "developer", _("地产客户关系中心")
        GOVERNMENT = "government", _("政府部门")
        HOTLINE = "hotline", _("12345 热线")
        PETITION = "petition", _("信访部门")

    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, related_name="external_parties", verbose_name=_("集团")
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    contact = models.CharField(_("联系方式"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("外部单位")
        verbose_name_plural = _("外部单位")

    def __str__(self) -> str:
        return self.name
