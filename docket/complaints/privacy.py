"""Personal data on the record: who sees it in full, who sees it masked (R-EXP-12, PIPL; issue 10).

Every page, print and API answer that shows a complainant's name, phone, email, address or room, or a
co-signer's, reads it through `person_for(user, complaint)`, which starts from the viewer's roles:

| who | sees |
|---|---|
| front desk, office manager, department supervisor and manager, QM (incl. the information officer) — in scope | in full: they call the complainant back, dispatch, review and follow up |
| whoever recorded the complaint, whoever holds it now | in full: they are talking to the complainant |
| department staff not holding it, general office, management representative, leadership, the group | masked; may reveal with a written reason, logged (`PersonalDataAccess`) and visible to QM |
| an owners' committee member | masked, never revealed; and only the public view of the record (`public_only`) |

Masks: phone 138****5678 (`core/phones.mask`); name reduced to the surname + 先生/女士; address and room
reduced to the building. Anonymous complaints show nothing to anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docket.accounts.access import assignments_of
from docket.accounts.models import Role
from docket.core import phones

from . import scopes
from .models import Complaint

FULL_ROLES = frozenset(
    {Role.RECEPTION, Role.OFFICE_MANAGER, Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER, Role.QM}
)
PUBLIC_ONLY_ROLES = frozenset({Role.COMMITTEE_MEMBER})

# Two-character surnames common enough to matter when reducing a name to its surname.
_COMPOUND = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "轩辕",
        "万俟",
        "闻人",
        "澹台",
        "公冶",
        "申屠",
        "太史",
        "钟离",
        "赫连",
        "濮阳",
    ]
)


def mask_name(name: str | None) -> str:
    """王建国 → 王先生/女士; 欧阳娜娜 → 欧阳先生/女士; a name in Latin letters keeps its first letter."""
    name = (name or "").strip()
    if not name:
        return ""
    if name[:2] in _COMPOUND:
        surname = name[:2]
    elif name[0].isascii():
        surname = name[0].upper() + "."
    else:
        surname = name[0]
    return f"{surname}先生/女士"


def mask_email(email: str | None) -> str:
    email = (email or "").strip()
    if "@" not in email:
        return ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_address(text: str | None, building: str = "") -> str:
    """The building only: the room's building when known, else the text up to its first 栋/幢/号楼."""
    if building:
        return building
    text = (text or "").strip()
    for mark in ("号楼", "栋", "幢", "座"):
        at = text.find(mark)
        if at > 0:
            return text[: at + len(mark)]
    return "***" if text else ""


# A number in typed text that names a building (3号楼, 5栋, 2幢, A座, 3号院) stays in a masked view; any
# other run of digits (a unit, a floor, a room, a phone) is replaced by one "*".
_BUILDING_NUMBER = re.compile(r"[0-9０-９]+(?=\s*(?:号楼|号院|栋|幢|座))")
_DIGITS = re.compile(r"[0-9０-９]+")


def mask_location(text: str | None) -> str:
    """A typed location (发生地点) for a masked viewer: the words as typed, every number that does not name
    a building replaced by "*" — "3号楼2单元1201门口" → "3号楼*单元*门口". The person block shows a masked
    viewer the building only; a unit, a floor or a room typed into the location would name the home."""
    text = text or ""
    kept = {m.start(): m.end() for m in _BUILDING_NUMBER.finditer(text)}
    return _DIGITS.sub(lambda m: m.group() if kept.get(m.start()) == m.end() else "*", text)


@dataclass(frozen=True)
class CoSignerView:
    name: str
    phone: str
    room: str


@dataclass(frozen=True)
class Person:
    """What one viewer may read of one complaint's people."""

    anonymous: bool
    name: str
    phone: str
    email: str
    address: str
    room: str
    cosigners: list[CoSignerView] = field(default_factory=list)
    masked: bool = False
    can_reveal: bool = False


def _seeing_roles(user, c: Complaint) -> set[str]:
    return {a.role for a in assignments_of(user) if scopes.sees(a, c)}


def sees_full(user, c: Complaint) -> bool:
    """See the module docstring."""
    roles = _seeing_roles(user, c)
    if not roles or roles <= PUBLIC_ONLY_ROLES:
        return False
    uid = getattr(user, "pk", None)
    return (uid is not None and uid in (c.received_by_id, c.holder_id)) or bool(roles & FULL_ROLES)


def public_only(user, c: Complaint) -> bool:
    """Whether the viewer sees only the public view of the record (the owners' committee)."""
    roles = _seeing_roles(user, c)
    return bool(roles) and roles <= PUBLIC_ONLY_ROLES


def may_reveal(user, c: Complaint) -> bool:
    roles = _seeing_roles(user, c)
    return bool(roles - PUBLIC_ONLY_ROLES) and not sees_full(user, c)


def _building(c: Complaint) -> str:
    room = c.room if c.room_id else None
    if room is None:
        return ""
    try:
        return str(room.unit.building.name)
    except AttributeError:  # pragma: no cover - a room always has a unit and building
        return ""


def person_for(user, c: Complaint, *, revealed: bool = False, cosigners=None) -> Person:
    """The complaint's people as this viewer may read them (`revealed`: after a logged reveal, see
    services.personal_data_reveal). `cosigners`: the rows when the caller has them already."""
    rows = list(c.cosigners.all()) if cosigners is None else list(cosigners)
    if c.anonymous:
        return Person(anonymous=True, name="", phone="", email="", address="", room="", cosigners=[])
    full = revealed or sees_full(user, c)
    room = str(c.room) if c.room_id else ""
    if full:
        return Person(
            anonymous=False,
            name=c.complainant_name,
            phone=c.complainant_phone,
            email=c.complainant_email,
            address=c.complainant_address,
            room=room,
            cosigners=[CoSignerView(s.name, s.phone, s.room) for s in rows],
        )
    building = _building(c)
    return Person(
        anonymous=False,
        name=mask_name(c.complainant_name),
        phone=phones.mask(c.complainant_phone),
        email=mask_email(c.complainant_email),
        address=mask_address(c.complainant_address, building),
        room=building,
        cosigners=[CoSignerView(mask_name(s.name), phones.mask(s.phone), mask_address(s.room)) for s in rows],
        masked=True,
        can_reveal=may_reveal(user, c),
    )
