"""The complainant's history (issue 14): the other complaints from the same phone number or the same
room, as far as the viewer may see them (`scopes.complaints_visible_to`), newest first.

Privacy (privacy.py): nothing for the owners' committee (public view only) and nothing for an anonymous
complaint (linking it to a phone or room would name its author); anonymous complaints are never listed
either. The panel shows receipt number, subject, state and date — no personal data — so viewers who see
the person masked get it too: every row is a complaint they may open anyway.

Phones are stored as typed (trimmed): the match covers the usual spellings of the same number (digits,
+86/86 prefix, 3-4-4 groups with a hyphen or space), each an exact, indexed lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from docket.core import phones
from docket.core.compiled import CompiledBy

from . import privacy, scopes
from .models import Complaint

LIMIT = 10


@dataclass
class History:
    rows: list[Complaint]
    more: bool  # more than LIMIT: the history page lists them all


def phone_spellings(value: str | None) -> list[str]:
    raw = (value or "").strip()
    n = phones.normalize(raw)
    if n is None:
        return []
    out = {raw, n, f"+86{n}", f"86{n}", f"+86 {n}"}
    if len(n) == 11 and n.startswith("1"):
        out |= {f"{n[:3]}-{n[3:7]}-{n[7:]}", f"{n[:3]} {n[3:7]} {n[7:]}"}
    else:  # a landline: area code (3 digits for 01x/02x, else 4) and number
        cut = 3 if n[1] in "12" else 4
        out |= {f"{n[:cut]}-{n[cut:]}", f"{n[:cut]} {n[cut:]}"}
    return sorted(out)


def matches_q(c: Complaint) -> Q | None:
    """The condition naming the same complainant, or None when nothing may be matched."""
    if c.anonymous:
        return None
    q = Q(pk__in=[])
    spellings = phone_spellings(c.complainant_phone)
    if spellings:
        q |= Q(complainant_phone__in=spellings)
    if c.room_id:
        q |= Q(room_id=c.room_id)
    if not spellings and not c.room_id:
        return None
    return q


def _history_query(user, spellings: tuple[str, ...], room_id: int | None, pk: int) -> QuerySet[Complaint]:
    """The other complaints from one of these phone spellings or this room that the user may see, newest
    first. The phone and the room name a few complaints: the user's scope is probed per row (`few`), not
    the department's issues of the whole history hashed first (~20 ms of the complaint page's PostgreSQL
    time at a million complaints, pagecpu2)."""
    q = Q(pk__in=[])
    if spellings:
        q |= Q(complainant_phone__in=spellings)
    if room_id:
        q |= Q(room_id=room_id)
    return (
        scopes.complaints_visible_to(user, few=True)
        .filter(q)
        .exclude(pk=pk)
        .filter(anonymous=False)
        .only("id", "receipt_no", "subject", "state", "received_at", "severity")
        .order_by("-received_at", "-id")
    )


def _history_args(user, c: Complaint) -> tuple[tuple[str, ...], int | None] | None:
    if privacy.public_only(user, c) or matches_q(c) is None:
        return None
    return tuple(phone_spellings(c.complainant_phone)), c.room_id or None


def history_qs(user, c: Complaint) -> QuerySet[Complaint] | None:
    args = _history_args(user, c)
    if args is None:
        return None
    return _history_query(user, *args, c.pk)


# The complaint page's panel (LIMIT + 1 rows), compiled once per shape of the user's role assignments, number
# of phone spellings and whether there is a room (core/compiled.py; pagecpu2).
def _panel_build(source, *markers) -> QuerySet[Complaint]:
    user, n_spellings, room = source
    spellings, rest = markers[:n_spellings], markers[n_spellings:]
    room_id, pk = (rest[0], rest[1]) if room else (None, rest[0])
    return _history_query(user, tuple(spellings), room_id, pk)[: LIMIT + 1]


_panel_rows = CompiledBy(_panel_build)


def history_for(user, c: Complaint) -> History | None:
    """At most LIMIT rows in one query (the roles are loaded once per request already)."""
    from .selectors import assignments_shape

    args = _history_args(user, c)
    if args is None:
        return None
    spellings, room_id = args
    values = (*spellings, *((room_id,) if room_id else ()), c.pk)
    rows = _panel_rows(
        (assignments_shape(user), len(spellings), bool(room_id)),
        (user, len(spellings), bool(room_id)),
        *values,
    )
    return History(rows=rows[:LIMIT], more=len(rows) > LIMIT)
