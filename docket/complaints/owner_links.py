"""The link in every SMS and email to a complainant (issue 11, portal answers): it opens their tracking page
directly, without the check code. A short signed token (`django.core.signing.TimestampSigner`, salted for
this one use, the signature cut to 16 characters = 96 bits) binds the complaint's id and the time it was
made; it expires after DOCKET_PORTAL_LINK_DAYS (30). The check code never appears in a link: a forwarded
SMS gives its reader the tracking page for a month, not the code that proves the receipt for good.

Leaf module: the notices build links with it, the portal reads them; it imports no view."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "docket.portal.track-link"
SIGNATURE_CHARS = 16
_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class _ShortSigner(signing.TimestampSigner):
    """A TimestampSigner whose signature is cut to SIGNATURE_CHARS: short enough for an SMS."""

    def signature(self, value, key=None):
        # Signer.unsign compares against `self.signature(value, key)` for each key: the cut one.
        return super().signature(value, key)[:SIGNATURE_CHARS]


def _b62(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 62)
        out = _B62[r] + out
        if n == 0:
            return out


def _from_b62(text: str) -> int:
    n = 0
    for ch in text:
        n = n * 62 + _B62.index(ch)
    return n


def _signer() -> _ShortSigner:
    return _ShortSigner(salt=SALT, sep=".")


def link_token(complaint_id: int) -> str:
    """A token for the complaint's tracking page, e.g. `1F.TBx3zQ.Jw3kQm0v9aD1sLxE`."""
    return _signer().sign(_b62(int(complaint_id)))


def link_complaint_id(token: str) -> int | None:
    """The complaint id a valid, unexpired token was made for; None for anything else."""
    token = (token or "").strip()
    if not token or len(token) > 64 or token.count(".") != 2:
        return None
    try:
        value = _signer().unsign(token, max_age=settings.DOCKET_PORTAL_LINK_DAYS * 86400)
    except (signing.BadSignature, ValueError):
        return None
    if not value or any(ch not in _B62 for ch in value):
        return None
    return _from_b62(value)


def tracking_url(complaint_id: int) -> str:
    """The absolute link (DOCKET_PUBLIC_ORIGIN + path) to put in an SMS or email."""
    path = reverse("portal:link", args=[link_token(complaint_id)])
    return f"{settings.DOCKET_PUBLIC_ORIGIN}{path}"
