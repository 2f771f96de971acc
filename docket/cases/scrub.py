"""Removing personal data from text written for the case library (R-ANA-4, R-EXP-12).

`scrub(text, names=…)` replaces: phone numbers (mobile, landline, masked forms such as 138****5678) with
"[电话]"; e-mail addresses with "[邮箱]"; identity-card numbers with "[证件号]"; unit and room numbers
(3单元, 1201室, 3-2-1201, 8栋2单元501) with "[房号]" — the building is kept; and every name given
(the complainant, co-signers, the room's residents) — full name, and the surname with 先生/女士/阿姨/…
— with "业主". What it cannot know (a name never recorded) stays the writer's duty; the page says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

PHONE = re.compile(
    r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?!\d)"  # mobile, 138 0000 0001
    r"|(?<!\d)1[3-9]\d[*＊xX]{4}\d{4}(?!\d)"  # masked mobile 138****5678
    r"|(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?!\d)"  # landline with area code
    r"|(?<!\d)\d{3,4}[*＊]{3,4}\d{2,4}(?!\d)"  # other masked forms
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
ROOM = re.compile(
    r"\d+\s*-\s*\d+\s*-\s*\d+"  # 3-2-1201
    r"|\d+\s*单元\s*\d*\s*(?:室|号房|房|号)?"  # 2单元, 2单元501室
    r"|\d{3,4}\s*(?:室|号房|房间|房)"  # 1201室
    r"|[A-Za-z]?\d{3,4}(?=号(?!楼))"  # 1201号 (not 1号楼)
)
HONORIFICS = ("先生", "女士", "小姐", "阿姨", "大爷", "大姐", "老师", "师傅", "业主", "太太")
SUBSTITUTE = "业主"


def _name_patterns(names: Iterable[str]) -> list[re.Pattern]:
    out = []
    honorific = "(?:" + "|".join(HONORIFICS) + ")"
    for name in {n.strip() for n in names if n and n.strip()}:
        if len(name) > 1:  # a surname alone ("王") is replaced only with its honorific: 王府 stays
            out.append(re.compile(re.escape(name)))
        surname = name[:2] if len(name) > 3 else name[:1]
        out.append(re.compile(re.escape(surname) + honorific))
        out.append(re.compile(r"(?:老|小)" + re.escape(surname) + r"(?![\u4e00-\u9fff])"))
    # longest first, so a full name goes before its surname form
    return sorted(out, key=lambda p: -len(p.pattern))


def scrub(text: str, *, names: Iterable[str] = ()) -> str:
    if not text:
        return ""
    text = EMAIL.sub("[邮箱]", text)
    text = ID_CARD.sub("[证件号]", text)
    text = PHONE.sub("[电话]", text)
    text = ROOM.sub("[房号]", text)
    for pattern in _name_patterns(names):
        text = pattern.sub(SUBSTITUTE, text)
    return text


def names_of(complaint) -> list[str]:
    """Every name the record holds for the people of a complaint: the complainant, the co-signers and the
    residents of its room."""
    from docket.org.models import Resident

    names = [complaint.complainant_name]
    names += list(complaint.cosigners.values_list("name", flat=True))
    if complaint.room_id:
        names += list(Resident.objects.filter(room_id=complaint.room_id).values_list("name", flat=True))
    return [n for n in names if n]
