"""Small text helpers shared by every app."""

from __future__ import annotations

import re

# C0 and C1 control characters (CR, LF, TAB, NUL, NEL U+0085 …) and the Unicode line and paragraph
# separators: everything str.splitlines() breaks on, and more.
_CONTROL = "\x00-\x1f\x7f-\x9f\u2028\u2029"
# A run of control characters together with the ordinary whitespace around it.
_BREAK = re.compile(rf"[\s{_CONTROL}]*[{_CONTROL}]+[\s{_CONTROL}]*")


def one_line(text: str | None) -> str:
    """`text` on one line: every run of line breaks and other control characters (with the spaces around
    them) becomes a single space, and the ends are stripped. For anything that ends up in a header or a
    one-line field (an e-mail subject, an SMS template parameter, a WeCom title, a complaint subject): a
    CR/LF there makes Django refuse the e-mail (BadHeaderError) and could inject headers elsewhere."""
    if not text:
        return ""
    return _BREAK.sub(" ", str(text)).strip()


def mask_phone(phone: str | None) -> str:
    """A phone number for logs: the first three and last four digits (138****5678); shorter numbers keep
    only their last two characters."""
    phone = (phone or "").strip()
    if len(phone) >= 8:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]
