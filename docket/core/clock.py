"""The one source of "now" (ARCHITECTURE.md, Time).

Tests move time with time-machine. `travel()` is for the demo-data loader only: it records a history
as if it had happened over past months, through the same services, in this thread.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
_override = threading.local()


def now() -> datetime:
    """Aware now (UTC)."""
    fixed = getattr(_override, "at", None)
    return fixed if fixed is not None else timezone.now()


def local_now() -> datetime:
    """Now in Asia/Shanghai, for dates printed on receipts and working-time maths."""
    return now().astimezone(SHANGHAI)


def to_local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)


@contextmanager
def travel(at: datetime) -> Iterator[None]:
    """Make `now()` return `at` (aware) in this thread until the block ends."""
    if at.tzinfo is None:
        raise ValueError("travel() needs an aware datetime")
    previous = getattr(_override, "at", None)
    _override.at = at
    try:
        yield
    finally:
        _override.at = previous
