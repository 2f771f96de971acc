"""Chinese phone numbers: recognising a complete one and masking one for roles that do not need it
(R-EXP-12; the masked form 138****5678 is what the privacy rules show).

A complete number is a mainland mobile (11 digits starting 13–19) or a landline with its area code: 010
and 02x take an 8-digit number, the 3-digit codes 03xx–09xx a 7- or 8-digit one (so 11 or 12 digits with the
trunk 0). Separators are allowed, and so are the country code written as +86, 86 or 0086 (a landline written
internationally drops its trunk 0: +86 755 8888 8888) and full-width digits (a Chinese input method's
１３９…). A prefix such as "1380000" is not a number: lookups answer only complete ones.
"""

from __future__ import annotations

import re
import unicodedata

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_LANDLINE = re.compile(r"^0(?:(?:10|2[0-9])[0-9]{8}|[3-9][0-9]{2}[0-9]{7,8})$")


def digits(value: str | None) -> str:
    """The decimal digits of `value`, as ASCII (full-width ０–９ and other scripts' decimal digits included)."""
    return "".join(str(unicodedata.decimal(ch)) for ch in (value or "") if ch.isdecimal())


def normalize(value: str | None) -> str | None:
    """The number as its domestic digits (country code dropped, a landline's trunk 0 restored), or None when
    it is not a complete number."""
    d = digits(value)
    if (value or "").strip().startswith(("+", "＋")) and not d.startswith("86"):
        return None  # another country's number (+1 415 555 0100 is not the mobile 14155550100)
    for country in ("0086", "86"):  # no domestic number starts with either (mobiles 1…, landlines 0[1-9]…)
        if d.startswith(country):
            rest = d[len(country) :]
            for domestic in (rest, "0" + rest):
                if _MOBILE.match(domestic) or _LANDLINE.match(domestic):
                    return domestic
            return None
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
