"""`seed_demo()`: builds the organisation, plans the complaints and lives their histories, all in one
transaction, unless the demo group is there already."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from docket.accounts.models import User
from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintEvent, State
from docket.core import clock
from docket.org.models import Group

from .build import DemoConflict, Loader
from .life import Life
from .organisation import DEMO_GROUP_CODE
from .planner import Planner
from .plans import Plan

__all__ = ["DEFAULT_COMPLAINTS", "DEFAULT_SEED", "DemoConflict", "SeedResult", "seed_demo"]

DEFAULT_COMPLAINTS = 300
DEFAULT_SEED = 20170607  # the date on the seed's platform notice (20**年6月7日)


@dataclass
class SeedResult:
    created: bool
    complaints: int = 0
    events: int = 0
    users: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    by_state: dict[str, int] = field(default_factory=dict)
    message: str = ""


def _live(loader: Loader, plans: list[Plan]) -> None:
    """Each plan's history, in order of arrival."""
    plans.sort(key=lambda p: p.arrival)
    for n, p in enumerate(plans, start=1):
        Life(loader, p).run()
        if n % 100 == 0:
            loader.log(f"  {n} complaints …")


def _pause_a_few(loader: Loader, now: datetime) -> None:
    """Leave a few open complaints waiting on the owner right now, so the demo shows paused deadlines
    (R-EXP-5) next to open, met, missed and cancelled ones."""
    waiting = (
        Complaint.objects.filter(
            company__group=loader.group,
            state__in=[State.INVESTIGATING, State.REPLIED],
            paused_at__isnull=True,
            level="office",
        )
        .select_related("office")
        .order_by("id")[:3]
    )
    for c in waiting:
        manager = User.objects.filter(roles__role="office_manager", roles__office_id=c.office_id).first()
        if manager is None:
            continue
        with clock.travel(now):
            s.clock_pause(
                actor=manager,
                complaint_id=c.id,
                reason="等待业主提供漏水部位照片及入户时间",
                resume_on=now + timedelta(days=3),
            )


def seed_demo(
    *,
    complaints: int = DEFAULT_COMPLAINTS,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] | None = None,
) -> SeedResult:
    """Load the demo data unless it is there already (the group `huaxin` is the marker). All or nothing."""
    log = log or (lambda _msg: None)
    existing = Group.objects.filter(code=DEMO_GROUP_CODE).first()
    if existing is not None:
        return SeedResult(created=False, message=f"演示数据已存在（{existing.name}），未做任何更改。")
    started, cpu_started = time.perf_counter(), time.process_time()
    horizon = timezone.now() - timedelta(minutes=2)
    loader = Planner(seed=seed, horizon=horizon, log=log)
    with transaction.atomic():
        loader.build_org()
        log(
            f"organisation: {len(loader.offices)} offices, {loader.users} accounts "
            f"({time.perf_counter() - started:.1f}s)"
        )
        plans = loader.plans(max(0, complaints))
        _live(loader, plans)
        _pause_a_few(loader, horizon)
        # The demo's history happened before Docket was switched on: its messages were never sent, and the
        # worker must not send months-old messages now. Today's stay queued, so delivery can be seen.
        from docket.notifications.inbox import notices_delete
        from docket.notifications.models import Notification

        notices_delete(Notification.objects.filter(created_at__lt=horizon - timedelta(hours=12)))
    ids = Complaint.objects.filter(company__group=loader.group)
    by_state = Counter(ids.values_list("state", flat=True))
    return SeedResult(
        created=True,
        complaints=sum(by_state.values()),
        events=ComplaintEvent.objects.filter(complaint__company__group=loader.group).count(),
        users=loader.users,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu_started,
        by_state={st: by_state.get(st, 0) for st in State.values},
        message=f"演示数据已载入：{sum(by_state.values())} 件投诉。",
    )
