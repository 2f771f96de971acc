"""Filling a reply template from the complaint (issue 14). The complainant is named as the viewer may
read them (complaints/privacy.person_for): whoever drafts a reply normally sees the name in full; a
masked viewer gets 王先生/女士, an anonymous complaint 业主."""

from __future__ import annotations

from django.utils.translation import gettext as _

from docket.complaints.models import Complaint
from docket.complaints.privacy import person_for
from docket.core import clock

PLACEHOLDERS = ("称呼", "小区", "管理处", "回执编号", "主题", "受理日期")


def values_for(user, c: Complaint) -> dict[str, str]:
    person = person_for(user, c, cosigners=())
    salutation = person.name if not person.anonymous and person.name else _("业主")
    community = c.community.name if c.community_id else ""
    office = c.office.name if c.office_id else ""
    return {
        "称呼": salutation,
        "小区": community or office,
        "管理处": office,
        "回执编号": c.receipt_no,
        "主题": c.subject,
        "受理日期": clock.to_local(c.received_at).strftime("%Y-%m-%d") if c.received_at else "",
    }


def fill(text: str, values: dict[str, str]) -> str:
    """Replace each known {占位符}; anything else in braces stays as written (no format-string parsing,
    so a stray brace in a template is harmless)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
