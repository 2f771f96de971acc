"""Forms of the incident pages: they only parse; the services decide (scope, area, times)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.complaints.forms import use_our_messages
from docket.org.models import Building, Office

from . import selectors
from .models import Incident

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DeclareForm(forms.Form):
    office = forms.ModelChoiceField(label=_("管理处"), queryset=Office.objects.none())
    kind = forms.ChoiceField(label=_("类别"), choices=Incident.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(
        label=_("公告内容（业主可见，勿写个人信息）"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    whole_community = forms.BooleanField(label=_("整个小区"), required=False)
    buildings = forms.ModelMultipleChoiceField(
        label=_("影响楼栋"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(label=_("开始时间"), required=False, widget=DT)
    expected_end_at = forms.DateTimeField(label=_("预计结束时间"), required=False, widget=DT)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        use_our_messages(self)
        offices = selectors.declare_offices(user).order_by("id")
        self.fields["office"].queryset = offices
        office_list = list(offices)
        if len(office_list) == 1:
            self.fields["office"].initial = office_list[0].id
            self.fields["office"].widget = forms.HiddenInput()
        self.fields["buildings"].queryset = Building.objects.filter(
            community__office__in=office_list
        ).order_by("community_id", "name")
        if len(office_list) > 1:  # several offices: say which community each building is in
            self.fields["buildings"].label_from_instance = str  # type: ignore[attr-defined]
        else:
            self.fields["buildings"].label_from_instance = lambda b: b.name  # type: ignore[attr-defined]

    @property
    def has_offices(self) -> bool:
        return self.fields["office"].queryset.exists()  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "office_id": d["office"].id,
            "kind": d["kind"],
            "title": d["title"],
            "description": d["description"],
            "whole_community": d["whole_community"],
            "building_ids": [b.id for b in d["buildings"]],
            "starts_at": d["starts_at"],
            "expected_end_at": d["expected_end_at"],
        }


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("进展内容（将通知关联投诉人）"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_our_messages(self)


class ResolveForm(UpdateForm):
    text = forms.CharField(
        label=_("结束说明（将通知关联投诉人）"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class LinkForm(forms.Form):
    receipt_no = forms.CharField(label=_("回执编号"), max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_our_messages(self)


class UnlinkForm(forms.Form):
    complaint = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("取消原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        use_our_messages(self)
