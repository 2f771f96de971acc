"""The one source of "now" (ARCHITECTURE.md, Time). Tests move it with time-machine."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Aware UTC now."""
    return timezone.now()


def local_now() -> datetime:
    """Now in Asia/Shanghai, for dates printed on receipts and working-time maths."""
    return now().astimezone(SHANGHAI)


def to_local(value: datetime) -> datetime:
    return value.astimezone(SHANGHAI)
