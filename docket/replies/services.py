"""Keeping reply templates (issue 14): only QM of the template's company. Templates are reference text,
not part of any complaint's record: no complaint event; who changed one last is kept on the row."""

from __future__ import annotations

from django.utils.translation import gettext as _

from docket.complaints.models import Category
from docket.core.errors import DomainError

from . import selectors
from .models import ReplyTemplate


def _check(user, company_id: int, category_id: int | None) -> None:
    if company_id not in selectors.editor_company_ids(user):
        raise DomainError("forbidden_action")
    if (
        category_id is not None
        and not Category.objects.filter(pk=category_id, company_id=company_id).exists()
    ):
        raise DomainError("validation", detail=_("投诉分类不属于该公司"))


def template_save(
    *,
    actor,
    company_id: int,
    title: str,
    body: str,
    category_id: int | None = None,
    active: bool = True,
    pk: int | None = None,
) -> ReplyTemplate:
    """Create (pk None) or update a template. An update may not move it to a company the actor does not
    keep, and a template of another company answers not_found."""
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError("required", field=_("标题"))
    if not body:
        raise DomainError("required", field=_("答复内容"))
    if pk is None:
        _check(actor, company_id, category_id)
        t = ReplyTemplate(company_id=company_id)
    else:
        found = selectors.template_editable(actor, pk)
        if found is None:
            raise DomainError("not_found")
        t = found
        _check(actor, t.company_id if company_id is None else company_id, category_id)
        t.company_id = company_id
    t.category_id, t.title, t.body, t.active, t.updated_by = category_id, title[:100], body, active, actor
    t.save()
    return t
