"""What every channel shares: the outcome of one attempt, the errors it raises, and the HTTP client."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from django.conf import settings

EXCERPT = 500


@dataclass
class Outcome:
    """What a successful attempt returns for the delivery log."""

    status_code: int | None = None
    excerpt: str = ""


class DeliveryError(Exception):
    """A failed attempt; retried with backoff. Carries what the delivery log records."""

    def __init__(self, message: str, *, status_code: int | None = None, excerpt: str = "") -> None:
        super().__init__(message)
        self.status_code = status_code
        self.excerpt = excerpt[:EXCERPT]


class PermanentError(DeliveryError):
    """A failure no retry can fix (no address, endpoint removed): the row is given up at once."""


def http_client() -> httpx.Client:
    """One short-lived client per attempt; the timeout covers connect and read (settings)."""
    return httpx.Client(
        timeout=float(getattr(settings, "DOCKET_HTTP_TIMEOUT", 10)), follow_redirects=False, trust_env=False
    )


def target_checked(url: str) -> str:
    """`url` if it is an allowed target now (targets.py): a refused one is given up at once, a name that
    does not resolve is retried."""
    from ..targets import TargetRefused, TargetUnresolved, target_check

    try:
        target_check(url)
    except TargetUnresolved as exc:
        raise DeliveryError(f"target: {exc}") from exc
    except TargetRefused as exc:
        raise PermanentError(f"target refused: {exc}") from exc
    return url


def post(url: str, **kwargs) -> httpx.Response:
    """POST and turn transport errors into a DeliveryError (retried)."""
    try:
        with http_client() as client:
            return client.post(url, **kwargs)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"timeout: {exc}") from exc
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
