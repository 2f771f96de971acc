from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from docket.org.models import Company

from . import selectors


class TemplateForm(forms.Form):
    company = forms.TypedChoiceField(label=_("公司"), coerce=int)
    category = forms.TypedChoiceField(label=_("投诉分类"), coerce=int, required=False, empty_value=None)
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("可用占位符：{称呼} {小区} {管理处} {回执编号} {主题} {受理日期}，插入时按投诉填写。"),
    )
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = selectors.editor_company_ids(user)
        companies = list(Company.objects.filter(id__in=ids).order_by("id"))
        self.fields["company"].choices = [(c.id, c.name) for c in companies]
        if len(companies) == 1:
            self.fields["company"].initial = companies[0].id
            self.fields["company"].widget = forms.HiddenInput()
        # categories grouped by parent: the parent first, its children indented after it
        cats = list(selectors.category_choices(ids))
        by_parent: dict[int | None, list] = {}
        for c in cats:
            by_parent.setdefault(c.parent_id, []).append(c)
        choices: list[tuple[object, str]] = [("", str(_("全部分类")))]
        for top in by_parent.get(None, []):
            prefix = f"{top.company.name} · " if len(companies) > 1 else ""
            choices.append((top.id, prefix + top.name))
            choices.extend((ch.id, f"{prefix}{top.name} / {ch.name}") for ch in by_parent.get(top.id, []))
        self.fields["category"].choices = choices
