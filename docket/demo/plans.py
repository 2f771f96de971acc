"""What a demo complaint will go through (a `Plan`), and the proportions the planner draws from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from docket.complaints.models import Channel, Kind, Method, Severity, State
from docket.complaints.workflow import REVIEW_ROUTES

from .build import OfficeKit
from .residents import ResidentRef
from .topics import Topic

HISTORY_DAYS = 120


@dataclass
class IssuePlan:
    summary: str
    category: tuple[str, str]
    dept: str
    topic: Topic | None
    ctx: dict
    fixed: tuple[str, str] | None = None  # findings and measures written for this issue


@dataclass
class Plan:
    target: str
    kit: OfficeKit | None = None
    topic: Topic | None = None
    issues: list[IssuePlan] = field(default_factory=list)
    kind: Kind = Kind.COMPLAINT
    channel: Channel = Channel.OFFICE
    method: Method = Method.PHONE
    stop_at: str | None = None
    ending: str = ""  # "", "withdraw", "unclosed"
    received_at: datetime | None = None  # set by the planner, like `kit` and `who`
    anonymous: bool = False
    who: ResidentRef | None = None
    people: int = 1
    cosigners: list[ResidentRef] = field(default_factory=list)
    subject: str = ""
    description: str = ""
    demand: str = ""
    location: str = ""
    spot_note: str = ""
    developer: bool = False
    home_return: bool = False
    claim: int = 0
    escalate: str = ""  # "", "early", "late"
    refuse: bool = False
    transfer: bool = False
    return_stage: str = ""
    disagree: int = 0  # negotiation rounds after disagreeing (0: agrees at once)
    rework: bool = False
    unreasonable: bool = False
    sensitive: bool = False
    risk: bool = False
    media: bool = False
    ncr: bool = False
    note: bool = False
    pause: bool = False
    photo: bool = False
    severity: str = Severity.NORMAL
    severity_reason: str = ""
    forwarder: str = ""  # key of EXTERNAL_PARTIES
    special: str = ""

    @property
    def arrival(self) -> datetime:
        """`received_at`, which every drawn plan has (it is None only while the planner draws it)."""
        if self.received_at is None:
            raise ValueError("the plan has no arrival time yet")
        return self.received_at


COVERAGE = [
    State.REGISTERED,
    State.ASSIGNED,
    State.INVESTIGATING,
    State.WITH_DEVELOPER,
    State.IN_REVIEW,
    State.REPLY_APPROVED,
    State.REPLIED,
    State.NEGOTIATING,
    State.IMPLEMENTING,
    State.VERIFYING,
    State.QM_VERIFYING,
    State.FOLLOW_UP,
    State.CLOSED,
    "on_spot",
    State.UNCLOSED,
    State.WITHDRAWN,
]
TARGET_WEIGHTS = {
    State.CLOSED: 660,
    "on_spot": 120,
    State.UNCLOSED: 30,
    State.WITHDRAWN: 45,
    State.REGISTERED: 8,
    State.ASSIGNED: 12,
    State.INVESTIGATING: 25,
    State.WITH_DEVELOPER: 15,
    State.IN_REVIEW: 12,
    State.REPLY_APPROVED: 8,
    State.REPLIED: 15,
    State.NEGOTIATING: 12,
    State.IMPLEMENTING: 15,
    State.VERIFYING: 8,
    State.QM_VERIFYING: 4,
    State.FOLLOW_UP: 15,
}
# How long ago (days) a complaint that ends up in each state arrived.
AGE_DAYS = {
    State.REGISTERED: (0.02, 0.2),
    State.ASSIGNED: (0.05, 0.8),
    State.INVESTIGATING: (0.5, 4),
    State.WITH_DEVELOPER: (4, 25),
    State.IN_REVIEW: (1, 5),
    State.REPLY_APPROVED: (1, 5),
    State.REPLIED: (1, 7),
    State.NEGOTIATING: (4, 15),
    State.IMPLEMENTING: (3, 12),
    State.VERIFYING: (5, 14),
    State.QM_VERIFYING: (5, 14),
    State.FOLLOW_UP: (5, 14),
    State.CLOSED: (8, HISTORY_DAYS),
    "on_spot": (0.1, HISTORY_DAYS),
    State.UNCLOSED: (35, HISTORY_DAYS),
    State.WITHDRAWN: (1, HISTORY_DAYS),
}
# Channel/method combinations with their weights; every channel and every method appears.
COMBOS = [
    ((Channel.OFFICE, Method.PHONE), 28),
    ((Channel.OFFICE, Method.VISIT), 16),
    ((Channel.OFFICE, Method.LETTER), 5),
    ((Channel.OFFICE, Method.EMAIL), 3),
    ((Channel.OFFICE, Method.FAX), 1),
    ((Channel.COMPANY, Method.PHONE), 3),
    ((Channel.COMPANY, Method.EMAIL), 4),
    ((Channel.COMPANY, Method.LETTER), 2),
    ((Channel.COMPANY, Method.FAX), 1),
    ((Channel.DEVELOPER, Method.DEVELOPER_FORWARD), 5),
    ((Channel.GROUP, Method.EMAIL), 2),
    ((Channel.GROUP, Method.LETTER), 1),
    ((Channel.GOVERNMENT, Method.GOVERNMENT_FORWARD), 7),
    ((Channel.ONLINE, Method.ONLINE), 12),
    ((Channel.COMMITTEE, Method.VISIT), 2),
    ((Channel.COMMITTEE, Method.LETTER), 2),
    ((Channel.SUGGESTION_BOX, Method.LETTER), 5),
]
# Forced on the first fully closed complaints so that small loads still use every channel and method.
COMBO_TOUR = [
    (Channel.OFFICE, Method.PHONE),
    (Channel.OFFICE, Method.VISIT),
    (Channel.OFFICE, Method.LETTER),
    (Channel.COMPANY, Method.FAX),
    (Channel.COMPANY, Method.EMAIL),
    (Channel.DEVELOPER, Method.DEVELOPER_FORWARD),
    (Channel.GROUP, Method.EMAIL),
    (Channel.GOVERNMENT, Method.GOVERNMENT_FORWARD),
    (Channel.ONLINE, Method.ONLINE),
    (Channel.COMMITTEE, Method.VISIT),
    (Channel.SUGGESTION_BOX, Method.LETTER),
]
REVIEWED = {m for m, stages in REVIEW_ROUTES.items() if stages}
