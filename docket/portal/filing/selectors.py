"""Reads for portal filing (issue 11): an office's public page (published channels, promised reply times),
the new complaint's receipt, and the complaints of a proven phone. Public fields only: no staff name or
phone, no internal event, nobody else's complaint."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import segno
from django.utils.translation import gettext as _

from docket.complaints.events import receipt_digest
from docket.complaints.models import Complaint, Method, Obligation
from docket.complaints.services.obligations import effective_policy
from docket.org.models import Building, Office, Unit
from docket.sla import policies

# The ways an owner reaches the office themselves, in the order the page lists them (seed 5.2.2.1).
OWNER_METHODS = (Method.ONLINE, Method.PHONE, Method.VISIT, Method.LETTER, Method.FAX, Method.EMAIL)
PHONE_LIST_MAX = 50


def office_by_code(code: str) -> Office | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 10:
        return None
    return Office.objects.select_related("company", "community").filter(code=code).first()


@dataclass
class Channel:
    label: str
    value: str
    href: str = ""


def channels(office: Office) -> list[Channel]:
    """The published channels (seed 5.2.1.1) that the office has filled in."""
    rows = [
        Channel(_("投诉电话"), office.phone, f"tel:{office.phone}"),
        Channel(_("24小时值班电话"), office.hotline_24h, f"tel:{office.hotline_24h}"),
        Channel(_("传真"), office.fax),
        Channel(_("电子邮箱"), office.email, f"mailto:{office.email}"),
        Channel(_("信函投递地址"), office.postal_address),
        Channel(_("受理岗位"), office.contact_post),
        Channel(_("联系人"), office.contact_person),
        Channel(_("办公时间"), office.office_hours),
    ]
    return [c for c in rows if c.value]


def rule_text(rule: dict | None) -> str:
    """A reply-time rule (sla/policies) in the owner's words."""
    if rule is None:
        return ""
    kind, n = rule.get("type"), rule.get("n", 0)
    if kind == "same_day":
        return _("当天答复（非工作时间收到的，于下一个工作日内）")
    if kind == "working_days":
        return _("%(n)s 个工作日内") % {"n": n}
    if kind == "working_minutes":
        return (
            _("%(h)s 个工作小时内") % {"h": f"{n / 60:g}"}
            if n % 30 == 0
            else _("%(n)s 个工作分钟内") % {"n": n}
        )
    if kind == "clock_minutes":
        return _("%(h)s 小时内") % {"h": f"{n / 60:g}"} if n % 30 == 0 else _("%(n)s 分钟内") % {"n": n}
    return ""


@dataclass
class Promise:
    method: str
    reply: str
    acknowledge: str


def promises(office: Office) -> list[Promise]:
    """The reply time per method from the office's effective policy (defaults ← company ← office), and
    the courtesy reply where the policy sets one (online: within 4 hours by default)."""
    rules, _version = effective_policy(Complaint(company_id=office.company_id, office_id=office.id))
    out = []
    for m in OWNER_METHODS:
        reply = rule_text(policies.rule_for(rules, "reply", m))
        if reply:
            out.append(
                Promise(str(Method(m).label), reply, rule_text(policies.rule_for(rules, "acknowledge", m)))
            )
    return out


def places(office: Office) -> tuple[list[Building], list[str]]:
    """The community's buildings, and the unit names used in it, for the filing form's selects."""
    buildings = list(Building.objects.filter(community__office=office).order_by("id"))
    units = sorted(
        set(Unit.objects.filter(building__community__office=office).values_list("name", flat=True)),
        key=lambda n: (len(n), n),
    )
    return buildings, units


def qr_data_uri(text: str, scale: int = 4) -> str:
    """A QR code as an SVG data URI (an <img> both browsers and the PDF renderer show; the CSP allows
    data: images)."""
    return segno.make(text, error="m").svg_data_uri(scale=scale)


@dataclass
class Receipt:
    """The receipt of a complaint just filed through the portal."""

    receipt_no: str
    kind_label: str
    office: str
    community: str
    place: str
    description: str
    demand: str
    anonymous: bool
    name: str
    phone_masked: str
    received_at: datetime
    photos: list[tuple[str, str, int]]  # name, sha256, bytes
    reply_due: datetime | None
    acknowledge_due: datetime | None
    provisional: bool
    digest: str
    # The reply time agreed with the owner (seed 5.2.2.3 / 5.2.3.2) replaced the promised one.
    reply_agreed: bool = False


def receipt(c: Complaint) -> Receipt:
    from docket.core.phones import mask

    dues = {
        o.kind: o
        for o in c.obligations.filter(kind__in=[Obligation.Kind.REPLY, Obligation.Kind.ACKNOWLEDGE]).order_by(
            "started_at"
        )
    }
    reply, ack = dues.get(Obligation.Kind.REPLY), dues.get(Obligation.Kind.ACKNOWLEDGE)
    place = str(c.room) if c.room_id else (c.location or _("公共区域"))
    return Receipt(
        receipt_no=c.receipt_no,
        kind_label=str(c.get_kind_display()),
        office=c.office.name,
        community=c.community.name if c.community_id else "",
        place=place,
        description=c.description,
        demand=c.demand,
        anonymous=c.anonymous,
        name=c.complainant_name,
        phone_masked=mask(c.complainant_phone),
        received_at=c.received_at,
        photos=[(a.original_name, a.sha256, a.size) for a in c.attachments.order_by("id")],
        reply_due=reply.due_at if reply else None,
        acknowledge_due=ack.due_at if ack else None,
        provisional=bool(reply and reply.provisional),
        digest=receipt_digest(c),
        reply_agreed=bool(reply and (reply.rule or {}).get("agreed")),
    )


def phone_variants(phone: str) -> list[str]:
    """How a proven 11-digit mobile may have been written down at the front desk."""
    p = phone
    return [p, f"+86{p}", f"+86 {p}", f"86{p}", f"{p[:3]}-{p[3:7]}-{p[7:]}", f"{p[:3]} {p[3:7]} {p[7:]}"]


def complaints_of_phone(phone: str) -> list[Complaint]:
    """The complaints whose complainant gave this phone, newest first (public fields are all the page
    shows of them)."""
    return list(
        Complaint.objects.select_related("office", "community")
        .filter(complainant_phone__in=phone_variants(phone))
        .order_by("-received_at")[:PHONE_LIST_MAX]
    )
