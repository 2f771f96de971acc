"""Topic templates for the demo complaints, in the seed's tone. The list is split over modules to keep
them small; its order matters (the seeded random picks by position), so keep new topics at the end."""

from .base import WHEN, Topic
from .complaints import COMPLAINTS
from .complaints_more import MORE_COMPLAINTS
from .requests import REQUESTS

TOPICS: list[Topic] = [*COMPLAINTS, *MORE_COMPLAINTS, *REQUESTS]
TOPIC = {t.key: t for t in TOPICS}

__all__ = ["TOPIC", "TOPICS", "WHEN", "Topic"]
