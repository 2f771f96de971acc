"""Chinese phone numbers: recognising a complete one and masking one for roles that do not need it
(R-EXP-12; the masked form 138****5678 is what the privacy rules show).

A complete number is a mainland mobile (11 digits starting 13–19, with an optional +86/86 prefix) or a
landline with its area code (0 + 2–3 digits, then 7–8 digits; separators allowed). A prefix such as
"1380000" is not a number: lookups answer only complete ones.
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")


def digits(value: str | None) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def normalize(value: str | None) -> str | None:
    """The number as digits (country code dropped), or None when it is not a complete number."""
    d = digits(value)
    if len(d) == 13 and d.startswith("86"):
        d = d[2:]
    if _MOBILE.match(d) or _LANDLINE.match(d):
        return d
    return None


def mask(value: str | None) -> str:
    """138****5678: the first three and last four digits of a mobile, the area code and last four of a
    landline; anything shorter shows only its last two characters."""
    value = (value or "").strip()
    if not value:
        return ""
    d = digits(value)
    if len(d) >= 11:
        return f"{d[:3]}****{d[-4:]}"
    if len(d) >= 7:
        return f"{d[:3]}****{d[-4:]}" if not d.startswith("0") else f"{d[:4]}****{d[-4:]}"
    return "*" * max(len(value) - 2, 1) + value[-2:]
