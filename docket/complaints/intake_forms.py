"""The reception intake form (顾客意见处理表 at the front desk). Parses input into a ComplaintInput for
`services.complaint_register`; no rules live here beyond the shape of the input. Its length limits are
the API's (`services.inputs`), and so are its messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.org.models import ExternalParty, Office, PublicArea, Room, Unit

from . import access
from .forms import use_our_messages
from .models import Category, Channel, ComplainantType, Kind, Method, SuggestionBoxOpening
from .services import ComplaintInput, CoSignerInput, IssueInput, UploadInput, inputs
from .services.inputs import message

# Refusals of the intake service that belong to one field of the page.
ERROR_FIELDS = {
    "received_in_future": "received_at",
    "received_reason_required": "received_reason",
    "responsible_not_in_department": "assign_responsible",
    "department_cannot_accept": "assign_department",
}


def _too_long(value: str, limit: int, what: str = "") -> forms.ValidationError | None:
    if len(value) <= limit:
        return None
    text = message("max_length", limit_value=limit, show_value=len(value))
    return forms.ValidationError(f"{what}{text}", code="max_length")


def natural_key(text: str) -> tuple:
    """Sort key that orders the numbers inside a name by value: 2号楼 before 10号楼, 101 before 1001."""
    import re

    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", text)
    )


def sorted_rooms(rooms) -> list[Room]:
    """Rooms by building, unit and number, each in natural order."""
    return sorted(
        rooms.select_related("unit__building"),
        key=lambda r: (natural_key(r.unit.building.name), natural_key(r.unit.name), natural_key(r.number)),
    )


ISSUE_CATEGORY_SLOTS = 6  # issues that can have their own category at intake; later ones take the common one


def grouped_categories(categories) -> list:
    """The category choices grouped by parent (optgroups); a top-level category without children is an
    option of its own. Only leaves are offered: a parent with children is a heading."""
    cats = list(categories.order_by("sort", "id"))
    children: dict[int, list[Category]] = {}
    for c in cats:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    out: list = [("", "---------")]
    for c in cats:
        if c.parent_id:
            continue
        kids = children.get(c.id)
        if kids:
            out.append((c.name, [(k.id, k.name) for k in kids]))
        else:
            out.append((c.id, c.name))
    return out


def phone_clean(value: str) -> str:
    """A complete mainland mobile or a landline with its area code, as digits (core.phones); else the
    field's error. Empty stays empty (anonymous or email-only complaints)."""
    from docket.core import phones

    value = (value or "").strip()
    if not value:
        return ""
    number = phones.normalize(value)
    if number is None:
        raise forms.ValidationError(PHONE_MESSAGE, code="phone")
    return number


PHONE_MESSAGE = _(
    "请输入完整的电话号码：手机为 11 位（如 13912345678），固定电话须带区号（如 029-88886666）。"
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class IntakeForm(forms.Form):
    office = forms.ModelChoiceField(label=_("管理处"), queryset=Office.objects.none())
    kind = forms.ChoiceField(
        label=_("类别"), choices=Kind.choices, initial=Kind.COMPLAINT, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.OFFICE)
    method = forms.ChoiceField(label=_("方式"), choices=Method.choices, initial=Method.PHONE)
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    complainant_phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=inputs.PHONE_MAX,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    complainant_name = forms.CharField(label=_("投诉人姓氏/姓名"), required=False, max_length=inputs.NAME_MAX)
    # building → unit → room: the first two only narrow the third (htmx, `views.intake.intake_places`).
    building = forms.TypedChoiceField(label=_("楼栋"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("单元"), required=False, coerce=int, empty_value=None)
    room = forms.ModelChoiceField(label=_("房屋"), queryset=Room.objects.none(), required=False)
    # seed part 2 (issue 15, R-ORG-2): the place when it is not (only) a room — the building and unit
    # pickers above name a whole building's or unit's problem when no room is chosen; or a public area.
    public_area = forms.ModelChoiceField(
        label=_("公共区域（大门、停车场、园林、会所等）"), queryset=PublicArea.objects.none(), required=False
    )
    complainant_address = forms.CharField(
        label=_("地址（非本小区住户或无房号时）"), required=False, max_length=inputs.ADDRESS_MAX
    )
    complainant_email = forms.EmailField(
        label=_("电子邮箱（可选，用于通知处理进度）"), required=False, max_length=inputs.EMAIL_MAX
    )
    location = forms.CharField(label=_("发生地点"), required=False, max_length=inputs.ADDRESS_MAX)
    people_count = forms.IntegerField(
        label=_("投诉人数"), min_value=1, max_value=inputs.PEOPLE_MAX, initial=1
    )
    # seed3 (issue 15): who complains; a staff complaint (员工投诉) is recorded and counted apart.
    complainant_type = forms.ChoiceField(
        label=_("投诉人类型"),
        required=False,
        choices=[("", "—"), *ComplainantType.choices],
        initial=ComplainantType.OWNER,
    )
    cosigners = forms.CharField(
        label=_("联名人（每行一人：姓名 房号 电话）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    subject = forms.CharField(label=_("主题"), max_length=inputs.SUBJECT_MAX)
    description = forms.CharField(
        label=_("投诉内容"), max_length=inputs.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    demand = forms.CharField(
        label=_("顾客诉求"),
        required=False,
        max_length=inputs.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    issues = forms.CharField(
        label=_("反映的问题（每行一个；只有一个问题可留空）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ModelChoiceField(label=_("分类"), queryset=Category.objects.none(), required=False)
    # A category per issue (issue 14): the first ISSUE_CATEGORY_SLOTS lines of `issues` may each have their
    # own; an issue without one takes `category` above. Fields issue_category_1 … are added in __init__.
    lawsuit_filed = forms.BooleanField(label=_("已提起诉讼"), required=False)
    media_exposed = forms.BooleanField(label=_("已被媒体曝光"), required=False)
    legal_or_media_risk = forms.BooleanField(label=_("可能引发诉讼或媒体曝光"), required=False)
    developer_related = forms.BooleanField(label=_("涉及地产（遗留问题）"), required=False)
    compensation_claimed = forms.BooleanField(label=_("提出索赔"), required=False)
    home_return_requested = forms.BooleanField(label=_("要求退换房"), required=False)
    sensitive = forms.BooleanField(label=_("敏感投诉"), required=False)
    forwarded_by = forms.ModelChoiceField(
        label=_("转交单位"), queryset=ExternalParty.objects.none(), required=False
    )
    forwarder_ref = forms.CharField(label=_("转交单位编号"), required=False, max_length=inputs.REF_MAX)
    forwarder_due_at = forms.DateTimeField(
        label=_("转交单位要求答复时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    received_at = forms.DateTimeField(
        label=_("收到时间（默认现在；补录信件等时填写实际收到的时间）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    received_reason = forms.CharField(
        label=_("补录原因（收到时间早于今天时必填）"),
        required=False,
        max_length=inputs.RECEIVED_REASON_MAX,
    )
    box_opening = forms.ModelChoiceField(
        label=_("意见箱开箱记录（渠道为意见箱时）"),
        required=False,
        queryset=SuggestionBoxOpening.objects.none(),
    )
    attachments = MultipleFileField(label=_("照片/扫描件/短视频"), required=False)
    # 登记并派单: handed over in the same step (services.HandOver); required only when that button is used.
    assign_department = forms.TypedChoiceField(
        label=_("派给部门"), required=False, coerce=int, empty_value=None
    )
    assign_responsible = forms.TypedChoiceField(
        label=_("责任人（可选）"), required=False, coerce=int, empty_value=None
    )
    close_on_spot = forms.BooleanField(label=_("已现场处理，顾客确认满意（直接结案）"), required=False)
    close_note = forms.CharField(
        label=_("现场处理情况"),
        required=False,
        max_length=inputs.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        use_our_messages(self)
        offices = [
            o
            for o in Office.objects.select_related("company", "community").order_by("company_id", "id")
            if access.register_role(user, o)
        ]
        self.fields["office"].queryset = Office.objects.filter(id__in=[o.id for o in offices])
        if len(offices) == 1:
            self.fields["office"].initial = offices[0].id
            self.fields["office"].widget = forms.HiddenInput()
        company_ids = {o.company_id for o in offices}
        group_ids = {o.company.group_id for o in offices}
        self._place_setup(offices)
        self.fields["public_area"].queryset = PublicArea.objects.filter(
            community__office__in=offices
        ).order_by("kind", "name")
        self.fields["category"].queryset = Category.objects.filter(
            company_id__in=company_ids, active=True
        ).select_related("parent")
        self.fields["category"].choices = grouped_categories(self.fields["category"].queryset)
        for n in range(1, ISSUE_CATEGORY_SLOTS + 1):
            slot = forms.ModelChoiceField(
                label=_("第 %(n)s 个问题的分类") % {"n": n},
                queryset=self.fields["category"].queryset,
                required=False,
                error_messages=self.fields["category"].error_messages,
            )
            slot.choices = [("", _("同上（用上面的分类）"))] + self.fields["category"].choices[1:]
            self.fields[f"issue_category_{n}"] = slot
        # A committee member records only on the committee's channel (R-INT-7): offer nothing else.
        roles = {a.role for o in offices if (a := access.register_role(user, o))}
        if roles == {"committee_member"}:
            self.fields["channel"].choices = [(Channel.COMMITTEE, Channel.COMMITTEE.label)]
            self.fields["channel"].initial = Channel.COMMITTEE
        self.fields["forwarded_by"].queryset = ExternalParty.objects.filter(group_id__in=group_ids)
        self.fields["box_opening"].queryset = SuggestionBoxOpening.objects.filter(
            office__in=offices
        ).order_by("-opened_at")[:20]
        self._hand_over_setup(user, offices)

    def _place_setup(self, offices) -> None:
        """The rooms of the offices' communities in natural order (101 before 1001), and the building and
        unit pickers that narrow them; a bound form narrows the room list to the chosen building/unit."""
        from django.urls import reverse

        rooms = Room.objects.filter(unit__building__community__office__in=offices).select_related(
            "unit__building"
        )
        fields: dict[str, Any] = self.fields  # ModelChoiceField / TypedChoiceField (choices, queryset)
        fields["room"].queryset = rooms
        units = sorted(
            Unit.objects.filter(building__community__office__in=offices).select_related("building"),
            key=lambda u: (natural_key(u.building.name), natural_key(u.name)),
        )
        buildings = sorted({u.building for u in units}, key=lambda b: natural_key(b.name))
        chosen_b = self._int(self.data.get("building")) if self.is_bound else None
        chosen_u = self._int(self.data.get("unit")) if self.is_bound else None
        fields["building"].choices = [("", _("— 全部楼栋 —"))] + [(b.id, b.name) for b in buildings]
        fields["unit"].choices = [("", _("— 全部单元 —"))] + [
            (u.id, str(u)) for u in units if chosen_b in (None, u.building_id)
        ]
        narrowed = rooms
        if chosen_u:
            narrowed = rooms.filter(unit_id=chosen_u)
        elif chosen_b:
            narrowed = rooms.filter(unit__building_id=chosen_b)
        fields["room"].choices = [("", "---------")] + [(r.id, str(r)) for r in sorted_rooms(narrowed)]
        url = reverse("complaints:places")
        for name, target in (("building", "#id_unit"), ("unit", "#id_room")):
            self.fields[name].widget.attrs.update(
                {"hx-get": url, "hx-target": target, "hx-trigger": "change", "hx-swap": "innerHTML"}
            )

    @staticmethod
    def _int(value):
        return int(value) if isinstance(value, str) and value.isdigit() else None

    def _hand_over_setup(self, user, offices) -> None:
        """登记并派单 for those who may hand complaints over (the `assign` row): the departments of their
        offices and companies; the people of the chosen one (htmx narrows the list as it changes)."""
        from django.db.models import Q
        from django.urls import reverse

        from docket.accounts.access import assignments_of
        from docket.org.models import Department

        from . import workflow
        from .forms import chosen_department, people_choices
        from .models import Level

        roles = workflow.ACTIONS["assign"].roles
        self.can_hand_over = any(a.role in roles for a in assignments_of(user))
        if not self.can_hand_over:
            del self.fields["assign_department"], self.fields["assign_responsible"]
            return
        # Where someone could take 接单 (the service refuses the others); registered at office level.
        depts = access.receiving_departments(
            Department.objects.filter(company_id__in={o.company_id for o in offices})
            .filter(Q(office__isnull=True) | Q(office_id__in=[o.id for o in offices]))
            .select_related("office")
            .order_by("office_id", "id"),
            Level.OFFICE,
        )
        fields: dict[str, Any] = self.fields
        fields["assign_department"].choices = [("", _("— 请选择部门 —"))] + [(d.id, str(d)) for d in depts]
        self.fields["assign_department"].widget.attrs.update(
            {
                "hx-get": reverse("complaints:people"),
                "hx-target": "#id_assign_responsible",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        chosen = self.data.get("assign_department") if self.is_bound else None
        # a complaint is registered at office level (R-HDL-5: only escalation raises it)
        fields["assign_responsible"].choices = people_choices(chosen_department(depts, chosen), Level.OFFICE)

    @property
    def hand_over_requested(self) -> bool:
        return self.is_bound and self.data.get("then") == "assign" and self.can_hand_over

    def clean_complainant_phone(self):
        return phone_clean(self.cleaned_data.get("complainant_phone") or "")

    def clean_issues(self):
        value = self.cleaned_data.get("issues") or ""
        lines = [ln.strip() for ln in value.splitlines() if ln.strip()]
        if len(lines) > inputs.ISSUES_MAX_COUNT:
            raise forms.ValidationError(
                message("max_items", limit_value=inputs.ISSUES_MAX_COUNT), code="max_items"
            )
        for n, ln in enumerate(lines, start=1):
            if error := _too_long(ln, inputs.ISSUE_MAX, _("第 %(n)s 行：") % {"n": n}):
                raise error
        return value

    def issue_category_fields(self) -> list:
        """The per-issue category pickers, in line order (the template lays them out together)."""
        return [self[f"issue_category_{n}"] for n in range(1, ISSUE_CATEGORY_SLOTS + 1)]

    @property
    def issue_categories_used(self) -> bool:
        """Whether the per-issue pickers should start open (a choice or an error in them)."""
        return self.is_bound and any(
            self.data.get(f"issue_category_{n}") for n in range(1, ISSUE_CATEGORY_SLOTS + 1)
        )

    def _issue_lines(self) -> list[str]:
        return [ln.strip() for ln in (self.cleaned_data.get("issues") or "").splitlines() if ln.strip()]

    def clean_cosigners(self):
        value = self.cleaned_data.get("cosigners") or ""
        rows = [ln.split() for ln in value.splitlines() if ln.split()]
        if len(rows) > inputs.COSIGNERS_MAX_COUNT:
            raise forms.ValidationError(
                message("max_items", limit_value=inputs.COSIGNERS_MAX_COUNT), code="max_items"
            )
        limits = (inputs.NAME_MAX, inputs.NAME_MAX, inputs.PHONE_MAX)
        for n, parts in enumerate(rows, start=1):
            for part, limit in zip(parts, limits, strict=False):
                if error := _too_long(part, limit, _("第 %(n)s 行：") % {"n": n}):
                    raise error
        return value

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > inputs.ATTACHMENTS_MAX_COUNT:
            raise forms.ValidationError(
                message("max_items", limit_value=inputs.ATTACHMENTS_MAX_COUNT), code="max_items"
            )
        return files

    def clean(self):
        data = super().clean()
        # A category chosen for an issue line that is not there is a mistake worth saying (lines moved?).
        count = max(len(self._issue_lines()), 1)
        for n in range(count + 1, ISSUE_CATEGORY_SLOTS + 1):
            if data.get(f"issue_category_{n}"):
                self.add_error(
                    f"issue_category_{n}",
                    _("只填写了 %(count)s 个问题，第 %(n)s 个问题不存在；请补上该行或改回“同上”。")
                    % {"count": count, "n": n},
                )
        if data.get("close_on_spot") and not (data.get("close_note") or "").strip():
            self.add_error("close_note", _("请填写现场处理情况。"))
        if self.hand_over_requested:
            if data.get("close_on_spot"):
                self.add_error("close_on_spot", _("现场处理完毕的投诉无需派单。"))
            if not data.get("assign_department"):
                self.add_error("assign_department", _("登记并派单时请选择派给哪个部门。"))
        return data

    def hand_over(self):
        """The hand-over to make with the registration (登记并派单), or None."""
        from .services import HandOver

        d = self.cleaned_data
        if not self.hand_over_requested or not d.get("assign_department"):
            return None
        return HandOver(department_id=d["assign_department"], responsible_id=d.get("assign_responsible"))

    def to_input(self) -> tuple[ComplaintInput, str | None]:
        d = self.cleaned_data
        category_id = d["category"].id if d.get("category") else None

        def category_of(n: int) -> int | None:  # the issue's own category, else the common one
            own = d.get(f"issue_category_{n}") if n <= ISSUE_CATEGORY_SLOTS else None
            return own.id if own else category_id

        lines = self._issue_lines() or [d["subject"]]
        issues = [IssueInput(summary=ln, category_id=category_of(n)) for n, ln in enumerate(lines, start=1)]
        cosigners = []
        for ln in (d.get("cosigners") or "").splitlines():
            parts = ln.split()
            if parts:
                cosigners.append(
                    CoSignerInput(
                        name=parts[0],
                        room=parts[1] if len(parts) > 1 else "",
                        phone=parts[2] if len(parts) > 2 else "",
                    )
                )
        uploads = [UploadInput(name=f.name, content=f.read()) for f in d.get("attachments") or []]
        data = ComplaintInput(
            office_id=d["office"].id,
            channel=d["channel"],
            method=d["method"],
            kind=d["kind"],
            subject=d["subject"],
            description=d["description"],
            anonymous=d["anonymous"],
            complainant_name=d.get("complainant_name") or "",
            complainant_phone=d.get("complainant_phone") or "",
            complainant_address=d.get("complainant_address") or "",
            complainant_email=d.get("complainant_email") or "",
            room_id=d["room"].id if d.get("room") else None,
            building_id=d.get("building"),
            unit_id=d.get("unit"),
            public_area_id=d["public_area"].id if d.get("public_area") else None,
            location=d.get("location") or "",
            people_count=d["people_count"],
            complainant_type=d.get("complainant_type") or "",
            demand=d.get("demand") or "",
            issues=issues,
            cosigners=cosigners,
            attachments=uploads,
            lawsuit_filed=d["lawsuit_filed"],
            media_exposed=d["media_exposed"],
            legal_or_media_risk=d["legal_or_media_risk"],
            developer_related=d["developer_related"],
            compensation_claimed=d["compensation_claimed"],
            home_return_requested=d["home_return_requested"],
            sensitive=d["sensitive"],
            forwarded_by_id=d["forwarded_by"].id if d.get("forwarded_by") else None,
            forwarder_ref=d.get("forwarder_ref") or "",
            forwarder_due_at=d.get("forwarder_due_at"),
            received_at=d.get("received_at"),
            received_reason=d.get("received_reason") or "",
            box_opening_id=d["box_opening"].id if d.get("box_opening") else None,
        )
        return data, (d.get("close_note") or "").strip() if d.get("close_on_spot") else None


class BoxOpeningForm(forms.Form):
    office = forms.ModelChoiceField(label=_("管理处"), queryset=Office.objects.none())
    opened_at = forms.DateTimeField(
        label=_("开箱时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    letters = forms.IntegerField(label=_("信件数"), min_value=0)
    note = forms.CharField(
        label=_("记录（内容摘要、转交情况）"),
        required=False,
        max_length=inputs.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        use_our_messages(self)
        self.fields["office"].queryset = offices


class ReconciliationForm(forms.Form):
    note = forms.CharField(
        label=_("说明（未移交投诉的原因与安排）"),
        required=False,
        max_length=inputs.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_our_messages(self)
