"""Bulk-load a large, realistic complaint history into PostgreSQL for the benchmarks (COPY, not the ORM).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench \\
        uv run python -m bench.generate --complaints 1000000 --open-share 0.05 --reset

What it writes, for one organisation (built once with conftest.build_org() and grown to 3 companies and
12 offices): N complaints received over the last `--years` years before BENCH_NOW, ids in time order, each
with 1-2 issues, its hash-chained events and its obligations, filled in the way the services would:

- paths follow workflow.py: on-the-spot closures, full resolutions (assign, accept, findings, reply with the
  review route of its method, agreement or negotiation, measures, verification, follow-up or exemption),
  withdrawals, "unclosed" endings; open complaints stop somewhere on that path;
- obligations start and end on the events that start and end them (services/obligations.py), with due and
  warning times from the same rules and the company's real working calendar; the overdue sweep is replayed
  as if it had run every minute until `--sweep-gap-minutes` before now (its warnings, breaches and
  escalations are in the record and in `step`/`state`/`next_check_at`), so a backlog is due at now;
- every event's hash is SHA-256 over the previous hash and the canonical JSON of the event, exactly as
  events.compute_hash does (checked against it before the load and with chain_verify after);
- each drafted reply is a Reply row and each review decision a ReplyReview row, as services/review.py writes
  them, from the path's reply events (their actors, times and body) and in their state at now (in review at
  its pending stage, approved, sent); checked after the load by replaying a sample's reply events as the
  services would (`replay_replies`, itself held against the real services by the test suite).

Speed: rows are rendered by worker processes (one per core) and streamed with COPY in one transaction;
secondary indexes and foreign keys of the four big tables are dropped first and rebuilt (and so
re-validated) at the end; with --reset the tables are truncated in the same transaction and loaded with
COPY FREEZE. Killing the script rolls everything back.

`--append` adds more history to a loaded database (used by bench.sweep to double the closed history).
Deterministic: the same arguments give the same rows (seeded random streams per chunk, a fixed now).
"""

from __future__ import annotations

import argparse
import bisect
import collections
import hashlib
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from bench import BENCH_NOW, conninfo, fmt_int, parse_now, setup_django

US = 1_000_000
MIN = 60 * US
HOUR = 60 * MIN
DAY = 24 * HOUR
LOCAL_OFFSET = 8 * HOUR  # Asia/Shanghai has had no DST since 1991
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORD = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)

TABLES = (
    "complaints_complaint",
    "complaints_complaintissue",
    "complaints_obligation",
    "complaints_complaintevent",
    "complaints_followup",
    "complaints_reply",
    "complaints_replyreview",
)
TERMINAL = ("closed", "unclosed", "withdrawn")
SYSTEM = "系统"
WARN_RATIO = (
    0.75  # read from policies.DEFAULT_RULES at start-up: the benchmark organisation keeps the defaults
)
SUPERIOR_AFTER = 120
QM_AFTER = 480
PUBLIC_KINDS: frozenset[str] = frozenset()  # filled from docket.complaints.kinds at start-up


def to_us(dt: datetime) -> int:
    return (dt - _EPOCH) // _ONE_US


def from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


_day_prefix: dict[int, str] = {}


def iso(us: int, micro: bool = True) -> str:
    """UTC ISO-8601 like datetime.isoformat(): with microseconds always (micro=True, as the canonical form
    uses), or only when not zero (as events._jsonable writes datetimes in payloads)."""
    d, rest = divmod(us, DAY)
    prefix = _day_prefix.get(d)
    if prefix is None:
        prefix = _day_prefix[d] = date.fromordinal(_EPOCH_ORD + d).isoformat() + "T"
    s, f = divmod(rest, US)
    if micro or f:
        return f"{prefix}{_HMS[s]}.{f:06d}+00:00"
    return f"{prefix}{_HMS[s]}+00:00"


_HMS = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


def local_day(us: int) -> int:
    """Days since the epoch of the Shanghai date of `us`."""
    return (us + LOCAL_OFFSET) // DAY


def _divide_and_round(a: int, b: int) -> int:
    """Round-half-even integer division, as CPython's timedelta does."""
    q, r = divmod(a, b)
    r *= 2
    greater = r > b if b > 0 else r < b
    if greater or (r == b and q % 2 == 1):
        q += 1
    return q


# --------------------------------------------------------------------------------------------------
# Working-time maths over precomputed blocks: the same results as docket.sla.calendar.WorkCalendar,
# ~20x faster (checked against it on random samples before every load, see FastCalendar.verify).


class FastCalendar:
    def __init__(self, work, first: date, last: date):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum: list[int] = []  # working microseconds before each block
        self.cumend: list[int] = []
        self.block_wd: list[int] = []  # working-day ordinal of each block
        self.wd_end: list[int] = []  # end of each working day
        total, d = 0, first
        while d <= last:
            if work.is_working_day(d):
                for s, e in work.hours.blocks:
                    s_us = to_us(datetime.combine(d, s, tzinfo=work.tz))
                    e_us = to_us(datetime.combine(d, e, tzinfo=work.tz))
                    self.starts.append(s_us)
                    self.ends.append(e_us)
                    self.cum.append(total)
                    total += e_us - s_us
                    self.cumend.append(total)
                    self.block_wd.append(len(self.wd_end))
                self.wd_end.append(self.ends[-1])
            d += timedelta(days=1)
        self.first_us, self.last_us = self.starts[0], self.ends[-1]

    def _check(self, t: int) -> None:
        if not self.first_us <= t <= self.last_us - 15 * DAY:
            raise ValueError(f"{from_us(t)} is outside the benchmark calendar range")

    def worked(self, t: int) -> int:
        """Working microseconds from the range start to t."""
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(t - self.starts[i], self.cumend[i] - self.cum[i])

    def add_minutes(self, t: int, minutes: float) -> int:
        if not minutes:
            return t
        self._check(t)
        # timedelta(minutes=float) rounds to the microsecond as the real calendar does; whole minutes are exact
        step = minutes * MIN if type(minutes) is int else timedelta(minutes=minutes) // _ONE_US
        target = self.worked(t) + step
        j = bisect.bisect_left(self.cumend, target)
        return self.starts[j] + (target - self.cum[j])

    def minutes_between(self, a: int, b: int) -> float:
        return (self.worked(b) - self.worked(a)) / MIN

    def add_days(self, t: int, n: int) -> int:
        self._check(t)
        i = bisect.bisect_right(self.ends, t)
        return self.wd_end[self.block_wd[i] + n]

    def due(self, rule: dict, start: int) -> int:
        """sla.duetimes.compute_due"""
        kind = rule["type"]
        if kind == "same_day":
            return self.add_days(start, 0)
        if kind == "working_days":
            return self.add_days(start, rule["n"])
        if kind == "working_minutes":
            return self.add_minutes(start, rule["n"])
        if kind == "clock_minutes":
            return start + rule["n"] * MIN
        raise ValueError(kind)

    def warn(self, rule: dict, start: int, due: int) -> int:
        """sla.duetimes.warn_time (the due time itself when the deadline is not after the start)."""
        if due <= start:
            return due
        if rule.get("type") == "clock_minutes":
            a, b = WARN_RATIO.as_integer_ratio()
            return start + _divide_and_round((due - start) * a, b)
        return self.add_minutes(start, self.minutes_between(start, due) * WARN_RATIO)

    def verify(self, work, rng: random.Random, lo: int, hi: int, n: int = 3000) -> int:
        """Compare with the real calendar and services on n random instants; raise on any difference."""
        from docket.sla.duetimes import schedule

        rules: list[dict[str, Any]] = [
            {"type": "same_day"},
            {"type": "working_days", "n": 1},
            {"type": "working_days", "n": 2},
            {"type": "working_minutes", "n": 240},
            {"type": "clock_minutes", "n": 240},
            {"type": "clock_minutes", "n": 60},
        ]
        for _ in range(n):
            t = rng.randrange(lo, hi)
            if rng.random() < 0.2:  # exactly on block edges and whole minutes, where off-by-one errors live
                t = rng.choice(self.starts[bisect.bisect_left(self.starts, t) :][:3] or [t]) // MIN * MIN
            dt = from_us(t)
            rule = rng.choice(rules)
            due = self.due(rule, t)
            plan = schedule(rule, dt, work, WARN_RATIO)  # the product's one schedule (obligation start)
            real_due, real_warn = plan.due_at, plan.warn_at
            warn = self.warn(rule, t, due)
            sup, qm = self.add_minutes(due, SUPERIOR_AFTER), self.add_minutes(due, QM_AFTER)
            real_sup = work.add_working_minutes(real_due, SUPERIOR_AFTER)
            real_qm = work.add_working_minutes(real_due, QM_AFTER)
            got = (from_us(due), from_us(warn), from_us(sup), from_us(qm))
            want = (real_due, real_warn, real_sup, real_qm)
            if got != want:
                raise AssertionError(f"calendar mismatch at {dt} {rule}: {got} != {want}")
        return n


# --------------------------------------------------------------------------------------------------
# Texts (zh-Hans, as reception writes them)

# (top category, child, department kind, developer related, issue summaries)
CATEGORY_TREE = [
    (
        "设施设备",
        "电梯",
        "engineering",
        False,
        ["电梯经常故障停运", "电梯运行时有异响", "电梯按键失灵", "电梯困人后救援不及时", "电梯轿厢照明不亮"],
    ),
    (
        "设施设备",
        "供水供电",
        "engineering",
        False,
        ["小区停水未提前通知", "楼道照明灯长期不亮", "高层水压不足用水困难", "地下室配电房有异味"],
    ),
    ("设施设备", "门禁对讲", "engineering", False, ["单元门禁刷卡失灵", "楼宇对讲无法开门", "门禁门关不严"]),
    (
        "安全秩序",
        "停车管理",
        "security",
        False,
        ["外来车辆占用业主车位", "地库消防通道被占用", "停车场道闸经常故障", "电动车在楼道充电"],
    ),
    ("安全秩序", "门岗巡逻", "security", False, ["夜间门岗无人值守", "外卖快递人员随意进出小区"]),
    (
        "环境卫生",
        "保洁",
        "customer_service",
        False,
        ["楼道垃圾清运不及时", "电梯厅地面长期无人清洁", "垃圾桶周边异味严重"],
    ),
    ("环境卫生", "绿化", "customer_service", False, ["绿化带杂草丛生无人修剪", "树枝遮挡低层住户采光"]),
    ("收费", "物业费", "customer_service", False, ["物业费账单金额有误", "公摊水电费分摊不透明"]),
    ("服务", "服务态度", "customer_service", False, ["前台人员态度生硬", "报修电话长时间无人接听"]),
    ("服务", "噪音扰民", "security", False, ["装修施工超时噪音扰民", "广场舞音响声音过大"]),
    (
        "地产遗留",
        "房屋质量",
        "engineering",
        True,
        ["外墙渗水导致室内墙面发霉", "阳台地面开裂", "窗户密封不严漏雨", "地下室墙体渗水"],
    ),
]
FINDINGS = {
    "engineering": [
        "经工程部现场检查，设备部件老化导致故障，情况属实。",
        "现场核查属实，已联系维保单位确认原因。",
        "现场检查发现管线接口松动，属维护不到位。",
    ],
    "security": ["经秩序部现场查看，情况属实，系巡查不到位。", "调取监控核实，反映情况属实。"],
    "customer_service": ["经客服部现场核查，情况基本属实。", "核对记录后确认存在服务疏漏。"],
}
MEASURES = {
    "engineering": ["更换老化部件并加强日常巡检。", "安排维保单位两日内完成维修，并复查。"],
    "security": ["加强夜间巡逻频次，设置警示标识。", "约谈相关人员，调整岗位安排。"],
    "customer_service": ["重新安排保洁排班，每日检查。", "对相关人员进行服务规范培训。"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
DEMANDS = ["尽快解决", "尽快维修并给出说明", "要求物业书面答复", "要求赔偿损失", "加强管理，避免再次发生"]
OFFICE_PLAN = [  # (company code, office code, community name, buildings)
    ("co1", "HJY", "华景苑", 14),
    ("co1", "BSW", "碧水湾", 10),
    ("co1", "JHY", "锦华园", 18),
    ("co2", "XHC", "新华城", 24),
    ("co2", "TYG", "天悦府", 8),
    ("co2", "LHY", "绿海园", 12),
    ("co2", "MDS", "明德山庄", 6),
    ("co3", "HSJ", "湖山居", 16),
    ("co3", "YJY", "御景园", 10),
    ("co3", "CXY", "晨曦苑", 9),
]
METHOD_MIX = [
    ("phone", 38),
    ("visit", 26),
    ("online", 14),
    ("email", 4),
    ("letter", 6),
    ("fax", 1),
    ("government_forward", 8),
    ("developer_forward", 3),
]
CHANNELS = {
    "phone": [("office", 85), ("company", 15)],
    "visit": [("office", 88), ("committee", 12)],
    "online": [("online", 100)],
    "email": [("company", 100)],
    "fax": [("company", 100)],
    "letter": [("office", 55), ("suggestion_box", 30), ("committee", 15)],
    "government_forward": [("government", 100)],
    "developer_forward": [("developer", 100)],
}
REVIEW_ROUTES: dict[str, tuple[str, ...]] = {}  # filled from docket.complaints.workflow at start-up
REPLY_RULES: dict[str, dict] = {}  # filled from docket.sla.policies.DEFAULT_RULES at start-up
FORWARDED = ("government_forward", "developer_forward")
SPOT_SHARE = 0.55  # of phone and visit complaints: resolved at reception and closed on the spot (R-INT-10)


# --------------------------------------------------------------------------------------------------
# The organisation


@dataclass
class UserRef:
    id: int
    name: str
    role: str
    jname: str = ""  # JSON-encoded name and role, for the canonical event form
    jrole: str = ""

    def __post_init__(self):
        self.jname = json.dumps(self.name, ensure_ascii=False)
        self.jrole = json.dumps(self.role, ensure_ascii=False)


SYSTEM_ACTOR = UserRef(0, SYSTEM, SYSTEM)


@dataclass
class DeptRef:
    id: int
    name: str
    kind: str
    supervisor: UserRef
    staff: UserRef | None
    notify: list[str]  # supervisors and managers: who `_holder_people` tells when nobody holds it yet
    manager_names: list[tuple[int, str]]  # (user id, name) of department managers (the holder's superior)


@dataclass
class OfficeRef:
    id: int
    code: str
    company_id: int
    community_id: int
    rooms: list[tuple[int, int, int, str, str]]  # room, unit, building, label, building name
    depts: dict[str, DeptRef]
    reception: UserRef
    manager: UserRef
    committee: UserRef
    reception_names: list[str]
    manager_names: list[tuple[int, str]]
    qm: UserRef
    qm_names: list[str]
    general_office: UserRef
    qm_dept: tuple[int, str]
    categories: list[tuple[int, str, bool, list[str]]]  # id, dept kind, developer related, summaries
    parties: dict[str, list[tuple[int, str]]]  # forwarder kind -> (id, name)
    plain_categories: list = field(default_factory=list)  # those not developer-related

    def __post_init__(self):
        self.plain_categories = [c for c in self.categories if not c[2]]


def _quick_hasher():
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
        iterations = 1000

    return QuickPBKDF2PasswordHasher


def __getattr__(name: str):  # the hasher class is made lazily: Django is not set up at import time
    if name == "QuickPBKDF2PasswordHasher":
        return _quick_hasher()
    raise AttributeError(name)


def ensure_org() -> bool:
    """Build the benchmark organisation unless it exists; True when built now."""
    from django.db import transaction

    from docket.org.models import Group

    if Group.objects.filter(code="grp").exists():
        return False
    from django.conf import settings

    # ~110 users: hash "pw" with few PBKDF2 rounds (still verifiable by Django's own hasher) to build in seconds
    settings.PASSWORD_HASHERS = ["bench.generate.QuickPBKDF2PasswordHasher"]
    from django.contrib.auth import hashers

    # (functools.cache: the stubs do not know cache_clear)
    hashers.get_hashers.cache_clear()  # type: ignore[attr-defined]
    hashers.get_hashers_by_algorithm.cache_clear()  # type: ignore[attr-defined]
    sys.path.insert(0, os.getcwd())
    from decimal import Decimal

    import conftest  # the test suite's small organisation, grown below
    from docket.accounts.models import Role
    from docket.accounts.services import role_grant
    from docket.complaints.models import Category
    from docket.org.models import Building, Company, Department, ExternalParty, Room, Unit

    with transaction.atomic():
        org = conftest.build_org()
        co2 = Company.objects.get(code="co2")
        co3 = Company.objects.create(group=org.group, name="第三物业公司", code="co3")
        for co, n in ((co2, 2), (co3, 3)):
            for kind, label in [
                ("qm", "品质管理部"),
                ("general_office", "办公室"),
                ("leadership", "公司管理层"),
            ]:
                Department.objects.create(company=co, office=None, kind=kind, name=label)
            users = {
                r: conftest._user(f"{r}{n}", f"{co.name[:2]}{label}")
                for r, label in [("go", "办公室法务"), ("mr", "管理者代表"), ("lead", "分管领导")]
            }
            role_grant(user=users["go"], role=Role.GENERAL_OFFICE, scope_obj=co)
            role_grant(user=users["mr"], role=Role.MGMT_REP, scope_obj=co)
            role_grant(
                user=users["lead"], role=Role.LEADERSHIP, scope_obj=co, compensation_limit=Decimal("50000")
            )
        qm3 = conftest._user("qm3", "第三公司品质管理部")
        role_grant(user=qm3, role=Role.QM, scope_obj=co3, compensation_limit=Decimal("5000"))
        companies = {"co1": org.company, "co2": co2, "co3": co3}
        kits = [org.a, org.b] + [
            conftest._office(companies[c], code, name) for c, code, name, _b in OFFICE_PLAN
        ]
        sizes = {"CYY": 12, "LXY": 8} | {code: b for _c, code, _n, b in OFFICE_PLAN}
        for kit in kits:  # buildings, units and rooms of a real community
            nb = sizes[kit.office.code]
            rng = random.Random(f"org-{kit.office.code}")
            buildings = Building.objects.bulk_create(
                [Building(community=kit.community, name=f"{b}号楼") for b in range(2, nb + 1)]
            )
            units = Unit.objects.bulk_create(
                [
                    Unit(building=b, name=f"{u}单元")
                    for b in buildings
                    for u in range(1, rng.randint(1, 3) + 1)
                ]
            )
            Room.objects.bulk_create(
                [
                    Room(unit=u, number=f"{f}{r:02d}")
                    for u in units
                    for f in range(1, rng.choice([6, 11, 18, 26, 33]) + 1)
                    for r in (1, 2)
                ]
                + [Room(unit=kit.room.unit, number=n) for n in ("102", "201", "202")]
            )
        for co in companies.values():  # the category tree (R-INT-4), with developer-legacy marked
            for top, child, _kind, dev, _summaries in CATEGORY_TREE:
                parent, _ = Category.objects.get_or_create(
                    company=co, parent=None, name=top, defaults={"developer_related": dev}
                )
                Category.objects.get_or_create(
                    company=co, parent=parent, name=child, defaults={"developer_related": dev}
                )
        for kind, name in [
            ("hotline", "12345市民服务热线"),
            ("petition", "区信访办"),
            ("government", "区住房和建设局"),
        ]:
            ExternalParty.objects.create(group=org.group, kind=kind, name=name)
    return True


def load_org() -> list[OfficeRef]:
    """The organisation as plain data the worker processes can use without a database."""
    from docket.accounts.access import role_label
    from docket.accounts.models import Role, RoleAssignment
    from docket.complaints.models import Category
    from docket.org.models import Department, ExternalParty, Group, Office, Room

    group = Group.objects.get(code="grp")
    ras = list(
        RoleAssignment.objects.filter(user__is_active=True)
        .select_related("user", "department__office", "office", "company", "group", "committee")
        .order_by("user_id", "id")
    )
    first: dict[int, UserRef] = {}
    by_scope: dict[tuple, list] = collections.defaultdict(list)
    for ra in ras:
        first.setdefault(ra.user_id, UserRef(ra.user_id, str(ra.user)[:50], role_label(ra)[:50]))
        by_scope[(ra.role, ra.department_id or ra.office_id or ra.company_id)].append(ra.user)

    def ref(role, scope_id) -> UserRef:
        return first[by_scope[(role, scope_id)][0].id]

    def names(*keys) -> list[tuple[int, str]]:
        users = {u.id: str(u) for k in keys for u in by_scope.get(k, [])}
        return sorted(users.items())

    cats: dict[int, list] = collections.defaultdict(list)
    kinds = {child: (kind, summaries) for _t, child, kind, _d, summaries in CATEGORY_TREE}
    for c in Category.objects.filter(parent__isnull=False, company__group=group):
        if c.name in kinds:
            cats[c.company_id].append((c.id, kinds[c.name][0], c.developer_related, kinds[c.name][1]))
    parties: dict[str, list] = collections.defaultdict(list)
    for p in ExternalParty.objects.filter(group=group).order_by("id"):
        parties["developer_forward" if p.kind == "developer" else "government_forward"].append((p.id, p.name))
    offices = []
    for o in Office.objects.filter(company__group=group).select_related("community").order_by("id"):
        rooms = [
            (
                r.id,
                r.unit_id,
                r.unit.building_id,
                f"{r.unit.building.name}{r.unit.name}{r.number}",
                r.unit.building.name,
            )
            for r in Room.objects.filter(unit__building__community=o.community)
            .select_related("unit__building")
            .order_by("id")
        ]
        depts = {}
        for d in Department.objects.filter(office=o).order_by("id"):
            if (Role.DEPT_SUPERVISOR, d.id) not in by_scope:
                continue
            staff = by_scope.get((Role.DEPT_STAFF, d.id))
            depts[d.kind] = DeptRef(
                d.id,
                d.name,
                d.kind,
                ref(Role.DEPT_SUPERVISOR, d.id),
                first[staff[0].id] if staff else None,
                [n for _i, n in names((Role.DEPT_SUPERVISOR, d.id), (Role.DEPT_MANAGER, d.id))],
                names((Role.DEPT_MANAGER, d.id)),
            )
        qm_dept = Department.objects.get(company_id=o.company_id, office__isnull=True, kind="qm")
        committee = RoleAssignment.objects.filter(
            committee__community=o.community, role=Role.COMMITTEE_MEMBER
        ).first()
        if committee is None:
            raise SystemExit(f"office {o.code} has no owners' committee member: rebuild the organisation")
        offices.append(
            OfficeRef(
                id=o.id,
                code=o.code,
                company_id=o.company_id,
                community_id=o.community.id,
                rooms=rooms,
                depts=depts,
                reception=ref(Role.RECEPTION, o.id),
                manager=ref(Role.OFFICE_MANAGER, o.id),
                committee=first[committee.user_id],
                reception_names=[n for _i, n in names((Role.RECEPTION, o.id))],
                manager_names=names((Role.OFFICE_MANAGER, o.id)),
                qm=ref(Role.QM, o.company_id),
                qm_names=[n for _i, n in names((Role.QM, o.company_id))],
                general_office=ref(Role.GENERAL_OFFICE, o.company_id),
                qm_dept=(qm_dept.id, str(qm_dept.name)),
                categories=cats[o.company_id],
                parties=parties,
            )
        )
    return offices


# --------------------------------------------------------------------------------------------------
# The plan: what happens to each complaint (cheap, structural; run by the main process to number the
# obligations, and again by the worker that renders the chunk, from the same seed)


@dataclass(slots=True)
class Plan:
    cid: int
    t0: int
    office: int
    ending: str  # on_the_spot | resolved | withdrawn | unclosed | open
    state: str
    method: str
    channel: str
    kind: str
    n_issues: int
    path: tuple[str, ...]
    obligations: tuple[str, ...]
    severity: str
    anonymous: bool
    exempt: str


@dataclass
class Ctx:
    seed: int
    n: int
    chunk: int
    cid_base: int
    now: int
    last_run: int  # the sweep's last run before its outage
    window_start: int
    day_first: list[int]  # local day (days since epoch) of each day in the window
    day_cum: list[int]  # complaints received before each day
    day_end_cap: list[int]  # latest receive instant on that day (the last day stops at now)
    tau_days: float  # open probability exp(-age / tau) of complaints not closed on the spot
    office_weights: list[int]
    offices: list[OfficeRef] = field(default_factory=list)
    cal: FastCalendar | None = None
    gap_minutes: int = 60


_HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 4, 8, 14, 16, 15, 13, 9, 10, 14, 15, 14, 12, 10, 8, 7, 5, 3, 2]


def day_weights(start_local_day: int, days: int, now_us: int) -> tuple[list[float], list[int]]:
    """Relative intake per day (weekends and the Spring Festival quieter, summer busier, growing ~15 %/year)
    and the latest instant of each day (now, on the last one)."""
    weights, caps = [], []
    for i in range(days):
        d = date.fromordinal(_EPOCH_ORD + start_local_day + i)
        w = 0.6 if d.weekday() >= 5 else 1.0
        w *= 1.25 if d.month in (7, 8) else (0.7 if d.month == 2 else 1.0)
        w *= 1.0 + 0.15 * i / 365.25
        day_start = (start_local_day + i) * DAY - LOCAL_OFFSET
        cap = min(day_start + DAY, now_us)
        weights.append(w * max(0.0, (cap - day_start) / DAY))
        caps.append(cap)
    return weights, caps


def allocate(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of `total` by weights (deterministic)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    counts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))[: total - sum(counts)]:
        counts[i] += 1
    return counts


def solve_tau(counts: list[int], ages_days: list[float], target: float) -> float:
    """tau such that sum(count * p_not_spot * exp(-age / tau)) = target (bisection; inf when unreachable)."""
    oral = sum(w for m, w in METHOD_MIX if m in ("phone", "visit")) / sum(w for _m, w in METHOD_MIX)
    p_ns = 1 - SPOT_SHARE * oral

    def expected(tau: float) -> float:
        return sum(c * p_ns * math.exp(-a / tau) for c, a in zip(counts, ages_days, strict=True))

    if target <= 0:
        return 0.0
    if expected(1e9) <= target:
        return math.inf
    lo, hi = 1e-3, 1e5
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if expected(mid) < target else (lo, mid)
    return hi


_PICK: dict[int, tuple[list, list]] = {}


T = TypeVar("T")


def _pick(rng: random.Random, pairs: Sequence[tuple[T, int]]) -> T:
    """A weighted choice among module-level (value, weight) lists."""
    table = _PICK.get(id(pairs))
    if table is None:
        cum, acc = [], 0
        for _v, w in pairs:
            acc += w
            cum.append(acc)
        table = _PICK[id(pairs)] = ([v for v, _w in pairs], cum)
    return rng.choices(table[0], cum_weights=table[1])[0]


KINDS = [("complaint", 85), ("suggestion", 8), ("inquiry", 7)]
ENDINGS = [("resolved", 90), ("withdrawn", 7), ("unclosed", 3)]
SATISFACTION = [(5, 55), (4, 30), (3, 9), (2, 4), (1, 2)]


def _day_times(ctx: Ctx, day_index: int) -> list[int]:
    """The receive instants of one day's complaints, sorted (seeded by the day, not the chunk)."""
    n = ctx.day_cum[day_index + 1] - ctx.day_cum[day_index]
    rng = random.Random(f"{ctx.seed}-day-{ctx.day_first[day_index]}")
    start = ctx.day_first[day_index] * DAY - LOCAL_OFFSET
    cap = ctx.day_end_cap[day_index]
    hours = [h for h in range(24) if start + h * HOUR < cap]
    weights = [_HOUR_WEIGHTS[h] for h in hours]
    out = []
    for h in rng.choices(hours, weights, k=n):
        lo = start + h * HOUR
        out.append(lo + rng.randrange(min(HOUR, cap - lo)))
    out.sort()
    return out


def _resolved_path(rng, n_issues, stages, online, forwarded, hot, exempt) -> list[str]:
    p = ["registered", "assigned"]
    if online:
        p.append("acknowledged")
    p.append("accepted")
    if hot:
        p += ["severity_raised", "group_reported"]
    p += ["findings_recorded"] * n_issues + ["reply_drafted"]
    if stages:
        p += ["reply_submitted"] + ["reply_approved"] * len(stages)
    p.append("reply_sent")
    if forwarded:
        p.append("forwarder_replied")
    if rng.random() < 0.08:
        p += ["complainant_disagreed", "negotiation_recorded"]
    p += ["complainant_agreed", "measures_done"] + ["issue_verified"] * n_issues
    p.append("follow_up_exempted" if exempt else "follow_up_recorded")
    return p


# How far an open complaint has got, by age (days): states and weights.
_OPEN_STATES = [
    (0.5, [("registered", 20), ("assigned", 25), ("investigating", 55)]),
    (  # a day or two old: most were answered on time (as the closed ones were), some are late
        3.0,
        [
            ("assigned", 2),
            ("investigating", 10),
            ("with_developer", 2),
            ("in_review", 4),
            ("reply_approved", 1),
            ("replied", 22),
            ("implementing", 30),
            ("verifying", 16),
            ("follow_up", 13),
        ],
    ),
    (
        math.inf,
        [
            ("investigating", 20),
            ("with_developer", 10),
            ("in_review", 6),
            ("reply_approved", 3),
            ("replied", 6),
            ("negotiating", 10),
            ("implementing", 18),
            ("verifying", 15),
            ("follow_up", 12),
        ],
    ),
]
_CUT = {  # the open state -> the last path event that leads to it
    "registered": "registered",
    "assigned": "assigned",
    "investigating": "accepted",
    "in_review": "reply_submitted",
    "reply_approved": "reply_approved",
    "replied": "reply_sent",
    "negotiating": "complainant_disagreed",
    "implementing": "complainant_agreed",
    "verifying": "measures_done",
    "follow_up": "issue_verified",
}


def _acknowledge_early(path: list[str], online: bool) -> list[str]:
    """Online complaints get their courtesy reply right after hand-over, whatever happens next."""
    if online and "assigned" in path and "acknowledged" not in path:
        i = path.index("assigned") + 1
        path[i:i] = ["acknowledged"]
    return path


def _open_path(rng, state, n_issues, stages, online, forwarded, hot) -> list[str]:
    full = _resolved_path(rng, n_issues, stages, online, forwarded, hot, "")
    if state == "negotiating" and "complainant_disagreed" not in full:
        i = full.index("complainant_agreed")
        full[i:i] = ["complainant_disagreed"]
    if state == "with_developer":
        i = full.index("reply_drafted")
        return full[:i] + ["forwarded_to_developer"]
    cut = _CUT[state]
    i = len(full) - 1 - full[::-1].index(cut)  # the last one (all approvals, all verifications)
    path = full[: i + 1]
    if state == "investigating":  # findings recorded for some issues already
        path += ["findings_recorded"] * rng.randint(0, n_issues)
    if state == "verifying" and n_issues > 1 and rng.random() < 0.3:
        path.append("issue_verified")
    if state == "follow_up" and forwarded and "forwarder_replied" not in path:
        path.append("forwarder_replied")
    return path


def _obligations_of(
    path: list[str], method: str, forwarded: bool, n_issues: int, exempt: str = ""
) -> tuple[str, ...]:
    """The obligations the services start along `path`, in the order they start them. An anonymous
    complaint is exempted from the follow-up by the verification itself (services.procedure.follow_up_due):
    no follow-up duty starts."""
    obs = ["reply"]
    if method == "online":
        obs.append("acknowledge")
    if forwarded:
        obs.append("forwarder_reply")
    if "severity_raised" in path:
        obs.append("report_group")
    if "reply_submitted" in path:
        obs.append("review")
    if "measures_done" in path:
        obs.append("verify")
    if path.count("issue_verified") >= n_issues and exempt != "anonymous":
        obs.append("follow_up")
    return tuple(obs)


def plan_chunk(ctx: Ctx, k: int) -> list[Plan]:
    rng = random.Random(f"{ctx.seed}-plan-{k}")
    lo, hi = k * ctx.chunk, min((k + 1) * ctx.chunk, ctx.n)
    plans: list[Plan] = []
    day = bisect.bisect_right(ctx.day_cum, lo) - 1
    times = _day_times(ctx, day)
    office_ids = range(len(ctx.office_weights))
    office_cum = [sum(ctx.office_weights[: i + 1]) for i in office_ids]
    for i in range(lo, hi):
        while i >= ctx.day_cum[day + 1]:
            day += 1
            times = _day_times(ctx, day)
        t0 = times[i - ctx.day_cum[day]]
        office = rng.choices(office_ids, cum_weights=office_cum)[0]
        method = _pick(rng, METHOD_MIX)
        channel = _pick(rng, CHANNELS[method])
        kind = _pick(rng, KINDS)
        n_issues = 2 if rng.random() < 0.2 else 1
        anonymous = method in ("phone", "letter", "online") and rng.random() < 0.03
        forwarded = method in FORWARDED
        online = method == "online"
        stages = REVIEW_ROUTES[method]
        age = (ctx.now - t0) / DAY
        r = rng.random()
        if method in ("phone", "visit") and r < SPOT_SHARE:
            ending = "on_the_spot"
        elif ctx.tau_days and rng.random() < math.exp(-age / ctx.tau_days):
            ending = "open"
        else:
            ending = _pick(rng, ENDINGS)
        hot = ending != "on_the_spot" and rng.random() < (0.015 if ending == "open" else 0.006)
        severity = ("major" if rng.random() < 0.15 else "hot") if hot else "normal"
        exempt = ""
        if ending == "on_the_spot":
            path, state, n_issues = ["registered", "closed_on_spot", "note_added"], "closed", 1
        elif ending == "resolved":
            if anonymous:
                exempt = "anonymous"
            elif rng.random() < 0.04:
                exempt = "unreachable"
            path, state = _resolved_path(rng, n_issues, stages, online, forwarded, hot, exempt), "closed"
        elif ending == "withdrawn":
            path = ["registered", "assigned"] + (["accepted"] if rng.random() < 0.6 else [])
            path += (["forwarder_replied"] if forwarded and "accepted" in path else []) + ["withdrawn"]
            if forwarded and "accepted" not in path:  # the forwarder is answered before the file closes
                path[-1:-1] = ["accepted", "forwarder_replied"]
            state = "withdrawn"
            path = _acknowledge_early(path, online)
        elif ending == "unclosed":
            path = ["registered", "assigned", "accepted"] + ["findings_recorded"] * n_issues
            path += ["escalated"] + (["forwarder_replied"] if forwarded else []) + ["closed_unclosed"]
            state = "unclosed"
            path = _acknowledge_early(path, online)
        else:
            choices = next(c for limit, c in _OPEN_STATES if age < limit)
            state = _pick(rng, choices)
            if state == "follow_up" and anonymous:  # exempted and closed by the verification itself
                state = "verifying"
            if state in ("in_review", "reply_approved") and not stages:
                state = "investigating"
            if state == "with_developer" and method == "developer_forward":
                state = "investigating"
            path = _open_path(rng, state, n_issues, stages, online, forwarded, hot)
            if hot and "severity_raised" in path and rng.random() < 0.5:
                path.remove("group_reported")  # the report to the group is still due
            if state in ("investigating", "with_developer") and rng.random() < 0.06:
                path.append("clock_paused")
        plans.append(
            Plan(
                ctx.cid_base + i,
                t0,
                office,
                ending,
                state,
                method,
                channel,
                kind,
                n_issues,
                tuple(path),
                _obligations_of(path, method, forwarded, n_issues, exempt),
                severity,
                anonymous,
                exempt,
            )
        )
    return plans


# --------------------------------------------------------------------------------------------------
# Rendering one chunk to COPY text (worker processes)

_COMPLAINANT_TYPES = ("owner",) * 14 + ("tenant",) * 3 + ("visitor", "staff", "other")
COMPLAINT_COLS = (
    "id",
    "location",
    "receipt_no",
    "check_code",
    "kind",
    "channel",
    "method",
    "anonymous",
    "complainant_name",
    "complainant_phone",
    "complainant_email",
    "complainant_address",
    "people_count",
    "subject",
    "description",
    "demand",
    "lawsuit_filed",
    "media_exposed",
    "legal_or_media_risk",
    "developer_related",
    "compensation_claimed",
    "home_return_requested",
    "sensitive",
    "unreasonable",
    "state",
    "level",
    "severity",
    "version",
    "received_at",
    "forwarder_ref",
    "forwarder_due_at",
    "negotiation_rounds",
    "closure_kind",
    "closure_note",
    "closed_at",
    "satisfaction",
    "updated_at",
    "building_id",
    "community_id",
    "company_id",
    "forwarded_by_id",
    "holder_id",
    "holder_department_id",
    "office_id",
    "received_by_id",
    "responsible_id",
    "room_id",
    "unit_id",
    "next_due_at",
    "pause_reason",
    "paused_at",
    "resume_on",
    "review_stage",
    "complainant_type",
    "search_text",
)
# Complaint.search_text joins the subject and the issues' summaries with this (models.complaint.SEARCH_SEP;
# checked at start-up).
SEARCH_SEP = "\x1f"
# One follow-up (回访) per resolved complaint, round 1 and the latest, as services.closing.follow_up_record /
# follow_up_exempt and services.procedure.follow_up_due write it.
FOLLOW_UP_COLS = (
    "complaint_id",
    "company_id",
    "round",
    "latest",
    "method",
    "exemption",
    "satisfaction",
    "quality_score",
    "opinion",
    "process_rating",
    "measures_rating",
    "result_rating",
    "automatic",
    "visited_by_id",
    "visited_at",
)
# The three points (满意/基本满意/不满意) of a visit with this overall satisfaction: derived, no random draw
# (the random streams, and with them every other row, stay what they were before follow-ups were written).
FOLLOW_UP_RATINGS = {
    5: ("satisfied", "satisfied", "satisfied"),
    4: ("satisfied", "satisfied", "basic"),
    3: ("basic", "basic", "basic"),
    2: ("basic", "unsatisfied", "unsatisfied"),
    1: ("unsatisfied", "unsatisfied", "unsatisfied"),
}
# The reply (答复) of a complaint whose path drafts one, as services/review.py writes it: reply_draft_save
# creates it (number 1: the paths send one reply and never draft again), reply_submit freezes the route and
# starts round 1, reply_review_approve adds a review per stage and approves it after the last, reply_send
# sends it. Every value comes from the path's events (actors, times, body): no random draw, so the random
# streams, and with them every other row, stay what they were before replies were written. The ids are
# numbered by the main process, as the obligations' are, so the reviews can point at their reply.
REPLY_COLS = (
    "id",
    "complaint_id",
    "company_id",
    "number",
    "body",
    "state",
    "review_stages",
    "review_round",
    "author_id",
    "created_at",
    "updated_at",
    "sent_by_id",
    "sent_at",
)
REPLY_REVIEW_COLS = ("reply_id", "stage", "round", "approved", "comment", "reviewer_id", "reviewed_at")
# services.procedure.AUTOMATIC_EXEMPTION_NOTES (checked at start-up)
AUTOMATIC_NOTES: dict[str, str] = {}
ISSUE_COLS = (
    "complaint_id",
    "seq",
    "summary",
    "state",
    "findings",
    "measures",
    "verification_note",
    "verified_at",
    "category_id",
    "company_id",
    "department_id",
    "responsible_id",
    "verified_by_id",
    "received_at",  # the complaint's (list, issue 14)
    "closed_at",  # closed with a complaint closed on the spot (services.intake.complaint_close_on_spot)
)
OBLIGATION_COLS = (
    "id",
    "kind",
    "state",
    "started_at",
    "due_at",
    "provisional",
    "met_at",
    "breached_at",
    "paused_at",
    "paused_working_minutes",
    "resumed_at",
    "rule",
    "policy_version",
    "warn_at",
    "step",
    "next_check_at",
    "company_id",
    "complaint_id",
    "holder_id",
    "holder_department_id",
    "office_id",
)
EVENT_COLS = (
    "complaint_id",
    "company_id",
    "seq",
    "kind",
    "actor_id",
    "actor_name",
    "actor_role",
    "at",
    "public",
    "payload",
    "prev_hash",
    "hash",
)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
N = "\\N"


def esc(s: str) -> str:
    """COPY text-format escaping."""
    if "\\" in s:
        s = s.replace("\\", "\\\\")
    if "\n" in s or "\t" in s or "\r" in s:
        s = s.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return s


def _ts(us: int | None) -> str:
    return N if us is None else iso(us)


def _id(v) -> str:
    return N if v is None else str(v)


_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _dumps(payload: dict) -> str:
    """json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")), as events.canonical."""
    return _ENCODE(payload)


def _run_after(nc: int, prev: int) -> int:
    """The first sweep run at or after `nc` and strictly after `prev`: runs are on every minute, with a
    sub-second jitter of their own."""
    m = nc // MIN
    while True:
        r = m * MIN + (m * 2654435761 % 1000) * 1000
        if r >= nc and r > prev:
            return r
        m += 1


@dataclass(slots=True)
class Ob:
    id: int
    kind: str
    rule: dict
    start: int
    due: int
    warn: int
    end: int | None = None  # met / cancelled / paused at
    how: str = ""  # met | cancel | pause
    state: str = "open"
    step: int = 0
    next_check: int | None = None
    met_at: int | None = None
    breached_at: int | None = None
    paused_at: int | None = None
    paused_minutes: float | None = None
    holder: tuple = (None, None)
    steps: list = field(default_factory=list)  # (run time, step) taken by the replayed sweep


class Story:
    """One complaint being written: its events (time-ordered), obligations and who holds it when."""

    def __init__(self) -> None:
        self.events: list[list] = []  # [at, kind, actor, payload, public]
        self.holders: list[tuple[int, DeptRef | None, UserRef | None]] = [(-1, None, None)]

    def holder_at(self, t: int):
        for at, dept, user in reversed(self.holders):
            if at <= t:
                return dept, user
        raise AssertionError("unreachable")


_YMD: dict[int, str] = {}


def _ymd(day: int) -> str:
    text = _YMD.get(day)
    if text is None:
        text = _YMD[day] = date.fromordinal(_EPOCH_ORD + day).strftime("%Y%m%d")
    return text


def render_chunk(args) -> dict:
    k, ob_base0, reply_base0, receipts, plans = args
    ob_base = ob_base0
    ctx: Ctx = _CTX
    if plans is None:  # the main process planned it already (to number the obligations) and sends the plans
        plans = plan_chunk(ctx, k)
    rng = random.Random(f"{ctx.seed}-render-{k}")
    cal = ctx.cal
    assert cal is not None  # build_ctx sets it
    out_c, out_i, out_o, out_e, out_f, out_r, out_rr = [], [], [], [], [], [], []
    stats: collections.Counter[str] = collections.Counter()
    ev_hist: collections.Counter[int] = collections.Counter()
    next_ob = ob_base
    next_reply = reply_base0
    for p in plans:
        o = ctx.offices[p.office]
        key = (p.office, local_day(p.t0))
        receipts[key] = receipts.get(key, 0) + 1
        receipt_no = f"{o.code}-{_ymd(key[1])}-{receipts[key]:04d}"
        obs_ids = list(range(next_ob, next_ob + len(p.obligations)))
        next_ob += len(p.obligations)
        reply_id = next_reply if _drafts_reply(p) else None
        next_reply += reply_id is not None
        c_row, i_rows, o_rows, e_rows, f_rows, r_rows, rr_rows, n_events = _render_complaint(
            ctx, cal, rng, p, o, receipt_no, obs_ids, reply_id, stats
        )
        out_c.append(c_row)
        out_i.extend(i_rows)
        out_o.extend(o_rows)
        out_e.extend(e_rows)
        out_f.extend(f_rows)
        out_r.extend(r_rows)
        out_rr.extend(rr_rows)
        ev_hist[n_events] += 1
    stats["complaints"] = len(plans)
    stats["issues"] = len(out_i)
    stats["obligations"] = len(out_o)
    stats["events"] = sum(n * c for n, c in ev_hist.items())
    stats["follow_ups"] = len(out_f)
    stats["replies"] = len(out_r)
    stats["reply_reviews"] = len(out_rr)
    return {
        "k": k,
        "complaints": "".join(out_c).encode(),
        "issues": "".join(out_i).encode(),
        "obligations": "".join(out_o).encode(),
        "events": "".join(out_e).encode(),
        "follow_ups": "".join(out_f).encode(),
        "replies": "".join(out_r).encode(),
        "reply_reviews": "".join(out_rr).encode(),
        "stats": stats,
        "ev_hist": ev_hist,
        "next_ob": next_ob,
        "ob_base": ob_base0,
        "next_reply": next_reply,
        "reply_base": reply_base0,
    }


def _drafts_reply(p: Plan) -> bool:
    """Whether the complaint's path drafts a reply (one Reply row, numbered by the main process)."""
    return "reply_drafted" in p.path


def _lateness(rng) -> float:
    """When an obligation is met, as a share of its time: mostly before the warning (75 %), some after it,
    a few late and fewer very late."""
    x = rng.random()
    if x < 0.80:
        return rng.uniform(0.1, 0.74)
    if x < 0.92:
        return rng.uniform(0.75, 1.0)
    if x < 0.985:
        return rng.uniform(1.0, 2.0)
    return rng.uniform(2.0, 6.0)


def _gap(rng, mean_minutes: float) -> int:
    return int(rng.expovariate(1 / mean_minutes) * MIN) + 1000


def _render_complaint(
    ctx: Ctx,
    cal: FastCalendar,
    rng: random.Random,
    p: Plan,
    o: OfficeRef,
    receipt_no: str,
    ob_ids: list[int],
    reply_id: int | None,
    stats,
) -> tuple:
    now, t0 = ctx.now, p.t0
    cats = o.categories
    plain = o.plain_categories
    issue_cats = [rng.choice(plain if rng.random() < 0.9 else cats) for _ in range(p.n_issues)]
    summaries = [rng.choice(c[3]) for c in issue_cats]
    lead = o.depts[issue_cats[0][1]]
    issue_depts = [o.depts[c[1]] for c in issue_cats]
    room = rng.choice(o.rooms) if rng.random() < 0.9 else None
    forwarded = p.method in FORWARDED
    registrar = o.committee if p.channel == "committee" else o.reception
    story = Story()
    ev = story.events

    # 1. the path's times: registration, then the events spread until the act that meets the reply
    # deadline, the rest by typical gaps; compressed to end before now (closed) or mapped to end a
    # little before now (open, the time since the last act growing with age)
    path = list(p.path)
    times = [t0]
    reply_rule = REPLY_RULES[p.method]
    reply_due = cal.due(reply_rule, t0)
    if "reply_sent" in path:
        t_reply = t0 + max(int((reply_due - t0) * _lateness(rng)), 10 * MIN)
        i_reply = path.index("reply_sent")
        lo = t0 + US
        inner = []
        if p.method == "online":  # assigned at once, the courtesy reply within its 4 hours (mostly)
            t_ack = min(t0 + int(240 * MIN * _lateness(rng)), t0 + (t_reply - t0) // 2)
            inner = [rng.randrange(lo, t_ack), t_ack]
            lo = t_ack + 1
        inner += sorted(rng.randrange(lo, t_reply) for _ in range(i_reply - 1 - len(inner)))
        if "reply_submitted" in path:  # reviewers answer within hours, before the reply goes out
            j = path.index("reply_submitted") - 1
            n_app = i_reply - 1 - j - 1
            gaps = [rng.expovariate(1 / 90) * MIN for _ in range(n_app)]
            span = (t_reply - inner[j]) * 0.95
            scale = min(1.0, span / sum(gaps)) if gaps else 1.0
            acc = inner[j]
            for a in range(n_app):
                acc += max(int(gaps[a] * scale), 1)
                inner[j + 1 + a] = acc
        times += inner + [t_reply]
        rest = path[i_reply + 1 :]
    else:
        rest = path[1:]
    t = times[-1]
    for kind in rest:
        if kind == "closed_on_spot":
            t += rng.randrange(50_000, 900_000)
        elif kind == "note_added":
            t += _gap(rng, 3 * 24 * 60)
        elif kind in ("issue_verified", "follow_up_recorded", "follow_up_exempted"):
            t += _gap(rng, 10 * 60)
        elif kind in (
            "measures_done",
            "negotiation_recorded",
            "complainant_disagreed",
            "forwarded_to_developer",
        ):
            t += _gap(rng, 2 * 24 * 60)
        elif kind in ("withdrawn", "closed_unclosed", "escalated"):
            t += _gap(rng, 3 * 24 * 60)
        elif kind == "clock_paused":
            t += _gap(rng, 6 * 60)
        elif kind in ("assigned", "acknowledged", "accepted"):
            t += _gap(rng, 50)
        else:
            t += _gap(rng, 5 * 60)
        times.append(t)
    if p.ending == "open":
        age = now - t0
        since = min(int(rng.expovariate(1 / 1.5) * DAY), int(age * 0.9))  # since the last act
        target = max(now - max(since, MIN), t0 + len(times))
        if times[-1] != t0:
            f = (target - t0) / (times[-1] - t0)
            times = [t0 + int((x - t0) * f) for x in times]
    elif times[-1] > now - MIN:
        f = (now - MIN - t0) / (times[-1] - t0)
        times = [t0 + int((x - t0) * f) for x in times]
    for i in range(1, len(times)):  # strictly increasing (scaling may merge neighbours)
        if times[i] <= times[i - 1]:
            times[i] = times[i - 1] + 1
    end_t = times[-1]

    # 2. the events with their actors and payloads; obligations start on their acts
    obs: list[Ob] = []
    ob_iter = iter(ob_ids)

    def start_ob(kind: str, rule: dict, at: int, payload: dict, due: int | None = None) -> Ob:
        """services.deadlines.obligation_start; the deadline travels in the payload of the act's (only)
        event, as Act.flush puts it there."""
        d = cal.due(rule, at) if due is None else due
        ob = Ob(next(ob_iter), kind, rule, at, d, cal.warn(rule, at, d))
        payload.setdefault("deadlines", []).append(
            {
                "obligation": ob.id,
                "kind": kind,
                "due_at": iso(d, False),
                "provisional": False,
                "policy": "default",
            }
        )
        ob.next_check = min(ob.warn, ob.due)
        obs.append(ob)
        return ob

    def meet(kinds: tuple[str, ...], at: int) -> None:
        for ob in obs:
            if ob.kind in kinds and ob.end is None:
                ob.end, ob.how = at, "met"

    subject = f"{room[4] if room else ''}{summaries[0]}"[:200]
    forwarder = rng.choice(o.parties[p.method]) if forwarded else None
    forwarder_due = cal.add_days(t0, rng.randint(3, 5)) if forwarded else None
    forwarder_ref = (
        f"{'12345' if p.method == 'government_forward' else 'DC'}-{receipt_no[4:12]}-{rng.randrange(10**5):05d}"
        if forwarded
        else ""
    )
    reply_body = (
        f"您好！关于您反映的“{summaries[0]}”问题，经核查已制定处理措施，我们将尽快落实并回访，感谢您的监督。"
    )
    verified = 0
    findings_done = 0
    negotiation_rounds = 0
    approvals = 0
    stages = REVIEW_ROUTES[p.method]
    holder_dept: DeptRef | None = None
    holder: UserRef | None = None
    level = "office"
    satisfaction = None
    closure_kind = closure_note = ""
    paused_at = resume_on = None
    pause_reason = ""
    follow_up: tuple | None = None
    # the reply as services/review.py leaves it: [state, stages, round, author, created, updated, sent_by, sent_at]
    reply: list[Any] | None = None
    reviews: list[tuple[str, UserRef, int]] = []  # (stage, reviewer, reviewed at), all approvals of round 1
    issue_state = ["open"] * p.n_issues
    issue_text = [["", "", ""] for _ in range(p.n_issues)]
    issue_verified: list[int | None] = [None] * p.n_issues
    issue_closed: list[int | None] = [None] * p.n_issues
    developer_related = any(c[2] for c in issue_cats) or p.method == "developer_forward"
    payload: dict[str, Any]
    for kind, at in zip(path, times, strict=True):
        actor, payload, public = registrar, {}, None
        if kind == "registered":
            payload = {
                "receipt_no": receipt_no,
                "kind": p.kind,
                "channel": p.channel,
                "method": p.method,
                "subject": subject,
                "issues": summaries,
                "people_count": 1,
                "attachments": [],
            }
            start_ob("reply", reply_rule, t0, payload)
            if p.method == "online":
                start_ob("acknowledge", {"type": "clock_minutes", "n": 240}, t0, payload)
            if forwarded:
                start_ob("forwarder_reply", {"type": "fixed"}, t0, payload, due=forwarder_due)
        elif kind == "closed_on_spot":
            # services.intake.complaint_close_on_spot: its (open) issues end closed with it, named in the event
            seqs = [n + 1 for n, s in enumerate(issue_state) if s == "open"]
            payload = {"note": "前台当场联系工程人员处理完毕，顾客确认满意。"}
            if seqs:
                payload |= {"issues": seqs, "issue_names": "、".join(f"问题{n}" for n in seqs)}
            for n in seqs:
                issue_state[n - 1], issue_closed[n - 1] = "closed", at
            closure_kind, closure_note = "on_the_spot", payload["note"]
            meet(("reply", "acknowledge"), at)
            for ob in obs:
                if ob.end is None:
                    ob.end, ob.how = at, "cancel"
        elif kind == "note_added":
            actor, payload = o.qm, {"text": "品质管理部抽查回访：顾客对现场处理结果满意。"}
        elif kind == "assigned":
            holder_dept, holder = lead, None
            story.holders.append((at, holder_dept, holder))
            payload = {
                "department": lead.name,
                "department_id": lead.id,
                "responsible": None,
                "issues": [{"issue": n + 1, "department": d.name} for n, d in enumerate(issue_depts)],
            }
        elif kind == "acknowledged":
            payload = {"body": "您好，您的意见已收到，我们将尽快核实处理并答复您。"}
            meet(("acknowledge",), at)
        elif kind == "accepted":
            actor = lead.supervisor
            holder = lead.supervisor
            story.holders.append((at, holder_dept, holder))
            payload = {"holder": actor.name}
        elif kind == "severity_raised":
            actor = o.manager
            payload = {"from": "normal", "to": p.severity, "reason": "涉及人数较多，可能引发媒体关注"}
            start_ob(
                "report_group",
                {"type": "clock_minutes", "n": 240 if p.severity == "hot" else 60},
                at,
                payload,
            )
        elif kind == "group_reported":
            actor, public = o.qm, False
            payload = {
                "content": subject,
                "cause": "设备老化、维保不到位",
                "handling": "已安排维修并跟进",
                "difficulties": "",
                "help_needed": "",
            }
            meet(("report_group",), at)
        elif kind == "findings_recorded":
            n = findings_done
            findings_done += 1
            d = issue_depts[n]
            actor = d.supervisor if d is not lead else lead.supervisor
            issue_text[n][0] = rng.choice(FINDINGS[d.kind])
            issue_text[n][1] = rng.choice(MEASURES[d.kind])
            issue_state[n] = "investigated"
            payload = {"issue": n + 1, "findings": issue_text[n][0], "measures": issue_text[n][1]}
        elif kind == "forwarded_to_developer":
            actor = lead.supervisor
            developer_related = True
            payload = {
                "party": o.parties["developer_forward"][0][1],
                "reason": "涉及房屋质量保修，请地产协调施工单位处理",
                "forward": None,
            }
        elif kind == "reply_drafted":
            actor = lead.supervisor
            payload = {"reply": 1, "body": reply_body}
            reply = ["draft", [], 0, actor, at, at, None, None]  # reply_draft_save
        elif kind == "reply_submitted":
            actor = lead.supervisor
            payload = {"reply": 1, "stages": list(stages)}
            start_ob("review", {"type": "working_minutes", "n": 240}, at, payload)
            assert reply is not None
            reply[0], reply[1], reply[2], reply[5] = (
                "in_review",
                list(stages),
                reply[2] + 1,
                at,
            )  # reply_submit
        elif kind == "reply_approved":
            stage = stages[approvals]
            approvals += 1
            actor = o.qm if stage == "qm" else o.general_office
            nxt = stages[approvals] if approvals < len(stages) else None
            payload = {"reply": 1, "stage": stage, "comment": "", "next_stage": nxt}
            reviews.append((stage, actor, at))  # reply_review_approve
            if nxt is None:
                meet(("review",), at)
                assert reply is not None
                reply[0] = "approved"
        elif kind == "reply_sent":
            actor = lead.supervisor if not stages else registrar
            payload = {"reply": 1, "body": reply_body}
            meet(("reply", "acknowledge"), at)
            assert reply is not None
            reply[0], reply[6], reply[7] = "sent", actor, at  # reply_send
        elif kind == "forwarder_replied":
            actor = o.manager
            payload = {"body": "已核实处理并答复投诉人。", "ref": forwarder_ref}
            meet(("forwarder_reply",), at)
        elif kind == "complainant_disagreed":
            negotiation_rounds += 1
            payload = {"reason": "对处理时限不满意", "round": negotiation_rounds}
        elif kind == "negotiation_recorded":
            actor = lead.supervisor
            negotiation_rounds += 1
            payload = {"summary": "与顾客面谈，约定处理方案和完成时间", "round": negotiation_rounds}
        elif kind == "complainant_agreed":
            payload = {"note": ""}
        elif kind == "measures_done":
            actor = lead.staff or lead.supervisor
            payload = {"note": "已按答复落实处理措施"}
            # services.handling.measures_done: names the issues it moves (closing.issues_moved)
            seqs = [
                n + 1 for n, s in enumerate(issue_state) if s not in ("verified", "closed", "measures_done")
            ]
            if seqs:
                payload |= {"issues": seqs, "issue_names": "、".join(f"问题{n}" for n in seqs)}
            issue_state = ["measures_done" if s != "verified" else s for s in issue_state]
            start_ob("verify", {"type": "working_days", "n": 1}, at, payload)
        elif kind == "issue_verified":
            actor = o.manager
            n = verified
            verified += 1
            issue_state[n] = "verified"
            issue_text[n][2] = "现场复查，措施已落实到位。"
            issue_verified[n] = at
            payload = {"issue": n + 1, "passed": True, "note": issue_text[n][2]}
            if verified == p.n_issues:
                meet(("verify",), at)
                if p.exempt != "anonymous":  # anonymous: exempted in this same action (follow_up_exempted)
                    start_ob("follow_up", {"type": "working_days", "n": 2}, at, payload)
        elif kind in ("follow_up_recorded", "follow_up_exempted"):
            if kind == "follow_up_recorded":
                satisfaction = _pick(rng, SATISFACTION)
                ratings = FOLLOW_UP_RATINGS[satisfaction]
                payload = {
                    "visit_method": rng.choice(["phone", "visit", "online"]),
                    "satisfaction": satisfaction,
                    "process_rating": ratings[0],
                    "measures_rating": ratings[1],
                    "result_rating": ratings[2],
                    "opinion": "",
                    "quality_score": None,
                    "round": 1,
                }
                follow_up = (payload["visit_method"], "", satisfaction, ratings, "", False, actor, at)
            elif p.exempt == "anonymous":  # services.procedure.follow_up_due, in the last verification
                actor, at = ev[-1][2], ev[-1][0]
                note = AUTOMATIC_NOTES[p.exempt]
                payload = {"exemption": p.exempt, "note": note, "automatic": True, "round": 1}
                follow_up = ("", p.exempt, None, ("", "", ""), note, True, actor, at)
            else:  # services.closing.follow_up_exempt: staff, after the attempts failed
                note = "电话三次无人接听，短信未回复" if p.exempt == "unreachable" else ""
                payload = {"exemption": p.exempt, "note": note, "round": 1}
                follow_up = ("", p.exempt, None, ("", "", ""), note, False, actor, at)
            closure_kind = "resolved"
            meet(("follow_up",), at)
            _cancel(obs, at)
        elif kind == "withdrawn":
            payload = {"reason": "顾客表示问题已自行解决，撤回投诉"}
            closure_kind, closure_note = "withdrawn", payload["reason"]
            # services.closing.withdraw_apply: its issues end with it (no department owes them any more)
            issue_state = [s if s in ("verified", "closed") else "withdrawn" for s in issue_state]
            _cancel(obs, at)
        elif kind == "escalated":
            actor = o.manager
            payload = {"reason": "管理处无法协调解决", "to": o.qm_dept[1]}
            level, holder = "company", None
            holder_dept = DeptRef(o.qm_dept[0], o.qm_dept[1], "qm", o.qm, None, [], [])
            story.holders.append((at, holder_dept, holder))
        elif kind == "closed_unclosed":
            actor = o.qm
            payload = {
                "analysis": "属地产遗留的结构性问题，超出物业公司处理能力",
                "mitigation": "已向业主说明并协调地产跟进",
            }
            closure_kind, closure_note = "unclosed", f"{payload['analysis']}\n{payload['mitigation']}"
            _cancel(obs, at)
        elif kind == "clock_paused":
            actor = lead.supervisor
            paused_at = at
            pause_reason = "等待顾客提供相关资料"
            lo = max(ctx.last_run, at) + 1
            if rng.random() < 0.3 and lo < now:  # the expected resume time came while the sweep was down
                resume_on = rng.randrange(lo, now)
            else:
                resume_on = (local_day(now) + rng.randint(1, 10)) * DAY - LOCAL_OFFSET + 9 * HOUR
            payload = {"reason": pause_reason, "resume_on": resume_on}
        ev.append([at, kind, actor, payload, public])

    if len(obs) != len(ob_ids):
        raise AssertionError(f"complaint {p.cid}: planned {p.obligations}, started {[ob.kind for ob in obs]}")

    # 3. the overdue sweep, replayed as if it ran every minute until its last run before the outage
    stop_all = ctx.last_run
    for ob in obs:
        _sweep_replay(ob, stop_all, paused_at)
        hd, h = story.holder_at(ob.end if ob.end is not None and ob.how != "pause" else end_t)
        ob.holder = (hd, h)
        for r, step in ob.steps:
            hd_r, h_r = story.holder_at(r)
            if step <= 2:
                people = (
                    [h_r.name] if h_r else (hd_r.notify or o.reception_names) if hd_r else o.reception_names
                )
            elif step == 3:
                ids = dict(o.manager_names + (hd_r.manager_names if hd_r else []))
                ids.pop(h_r.id if h_r else None, None)
                people = [ids[i] for i in sorted(ids)]
            else:
                people = o.qm_names
            kind = ("deadline_warning", "deadline_missed", "overdue_escalated", "overdue_escalated")[step - 1]
            ev.append(
                [
                    r,
                    kind,
                    SYSTEM_ACTOR,
                    {
                        "obligation": ob.id,
                        "kind": ob.kind,
                        "step": step,
                        "due_at": iso(ob.due, False),
                        "notified": people,
                    },
                    False,
                ]
            )
    if any(ob.steps for ob in obs):
        ev.sort(key=lambda e: e[0])

    # 4. rows
    cid, company = p.cid, o.company_id
    version = len(ev)
    terminal = p.state in TERMINAL
    running = [ob.due for ob in obs if ob.state in ("open", "missed") and ob.met_at is None]
    next_due = min(running) if running else None
    hd_final, h_final = story.holder_at(ev[-1][0])
    responsible = next((e[2] for e in ev if e[1] == "accepted"), None)
    closed_at = next((e[0] for e in ev if e[1] in _CLOSERS), None) if terminal else None
    name = "" if p.anonymous else f"{rng.choice(SURNAMES)}{rng.choice(['先生', '女士'])}"
    phone = "" if p.anonymous and rng.random() < 0.7 else f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    # Complaints that came by email keep the sender's address (complaints 0009); derived from the phone, so
    # the random streams, and with them every other row, stay what they were before the column existed.
    email = f"{phone}@139.com" if p.method == "email" and phone and not p.anonymous else ""
    # The complainant's type (complaints 0023), from the id without a random draw, for the same reason:
    # owners 70 %, tenants 15 %, visitors, staff and others 5 % each; not asked of anonymous callers.
    complainant_type = "" if p.anonymous else _COMPLAINANT_TYPES[cid % 20]
    description = (
        f"{room[3] if room else '小区公共区域'}：{'；'.join(summaries)}。多次反映未彻底解决，影响正常生活。"
    )
    c_fields = (
        str(cid),
        "" if room else "小区公共区域",
        receipt_no,
        "".join(rng.choices(CODE_ALPHABET, k=8)),
        p.kind,
        p.channel,
        p.method,
        "t" if p.anonymous else "f",
        name,
        phone,
        email,
        room[3] if room else "",
        "1",
        esc(subject),
        esc(description),
        rng.choice(DEMANDS),
        "f",
        "f",
        "f",
        "t" if developer_related else "f",
        "f",
        "f",
        "f",
        "f",
        p.state,
        level,
        p.severity,
        str(version),
        iso(t0),
        forwarder_ref,
        _ts(forwarder_due),
        str(negotiation_rounds),
        closure_kind,
        esc(closure_note),
        _ts(closed_at),
        _id(satisfaction),
        iso(ev[-1][0]),
        _id(room[2] if room else None),
        str(o.community_id),
        str(company),
        _id(forwarder[0] if forwarder else None),
        _id(h_final.id if h_final else None),
        _id(hd_final.id if hd_final else None),
        str(o.id),
        str(registrar.id),
        _id(responsible.id if responsible else None),
        _id(room[0] if room else None),
        _id(room[1] if room else None),
        _ts(next_due),
        pause_reason,
        _ts(paused_at),
        _ts(resume_on),
        stages[approvals]
        if p.state == "in_review"
        else "",  # the stage whose reviewer has it (services/review.py)
        complainant_type,
        esc(SEARCH_SEP.join([subject, *summaries[: p.n_issues]])),
    )
    c_row = "\t".join(c_fields) + "\n"
    i_rows = []
    assigned = "assigned" in p.path
    for n in range(p.n_issues):
        f_text, m_text, v_text = issue_text[n]
        i_rows.append(
            "\t".join(
                (
                    str(cid),
                    str(n + 1),
                    summaries[n],
                    issue_state[n],
                    f_text,
                    m_text,
                    v_text,
                    _ts(issue_verified[n]),
                    str(issue_cats[n][0]),
                    str(company),
                    _id(issue_depts[n].id if assigned else None),
                    N,
                    _id(o.manager.id if issue_verified[n] else None),
                    iso(t0),
                    _ts(issue_closed[n]),
                )
            )
            + "\n"
        )
    o_rows = []
    for ob in obs:
        hd, h = ob.holder
        o_rows.append(
            "\t".join(
                (
                    str(ob.id),
                    ob.kind,
                    ob.state,
                    iso(ob.start),
                    iso(ob.due),
                    "f",
                    _ts(ob.met_at),
                    _ts(ob.breached_at),
                    _ts(ob.paused_at),
                    N if ob.paused_minutes is None else repr(ob.paused_minutes),
                    N,
                    _dumps(ob.rule),
                    "default",
                    iso(ob.warn),
                    str(ob.step),
                    _ts(ob.next_check),
                    str(company),
                    str(cid),
                    _id(h.id if h else None),
                    _id(hd.id if hd else None),
                    str(o.id),
                )
            )
            + "\n"
        )
        stats[f"ob:{ob.state}"] += 1
        if ob.next_check is not None:
            stats["ob:checked"] += 1
            if ob.next_check <= now:
                stats["ob:due_now"] += 1
    e_rows = []
    prev = GENESIS
    for seq, (at, kind, actor, payload, public) in enumerate(ev, start=1):
        if public is None:
            public = kind in PUBLIC_KINDS
        if "resume_on" in payload:
            payload["resume_on"] = iso(payload["resume_on"], False)
        pj = _dumps(payload)
        at_iso = iso(at)
        # events.canonical(): the same keys, sorted, the same separators (checked by _self_check)
        canon = (
            f'{{"actor":{actor.id or "null"},"actor_name":{actor.jname},"actor_role":{actor.jrole},'
            f'"at":"{at_iso}","company":{company},"complaint":{cid},"kind":"{kind}","payload":{pj},'
            f'"public":{"true" if public else "false"},"seq":{seq}}}'
        )
        h = hashlib.sha256(f"{prev}\n{canon}".encode()).hexdigest()
        e_rows.append(
            f"{cid}\t{company}\t{seq}\t{kind}\t{actor.id or N}\t{actor.name}\t{actor.role}\t{at_iso}\t"
            f"{'t' if public else 'f'}\t{esc(pj)}\t{prev}\t{h}\n"
        )
        prev = h
    f_rows = []
    if follow_up is not None:
        method, exemption, sat, ratings, note, automatic, by, at = follow_up
        f_rows.append(
            f"{cid}\t{company}\t1\tt\t{method}\t{exemption}\t{_id(sat)}\t{N}\t{esc(note)}\t"
            f"{ratings[0]}\t{ratings[1]}\t{ratings[2]}\t{'t' if automatic else 'f'}\t{by.id}\t{iso(at)}\n"
        )
    r_rows, rr_rows = [], []
    if (reply is None) != (reply_id is None):
        raise AssertionError(f"complaint {cid}: reply planned {reply_id}, drafted {reply is not None}")
    if reply is not None:
        r_state, r_stages, r_round, author, created, updated, sent_by, sent_at = reply
        r_rows.append(
            f"{reply_id}\t{cid}\t{company}\t1\t{esc(reply_body)}\t{r_state}\t{_dumps(r_stages)}\t{r_round}\t"
            f"{author.id}\t{iso(created)}\t{iso(updated)}\t{_id(sent_by.id if sent_by else None)}\t{_ts(sent_at)}\n"
        )
        for stage, reviewer, at in reviews:
            rr_rows.append(f"{reply_id}\t{stage}\t{r_round}\tt\t\t{reviewer.id}\t{iso(at)}\n")
        stats[f"reply:{r_state}"] += 1
    stats[f"state:{p.state}"] += 1
    return c_row, i_rows, o_rows, e_rows, f_rows, r_rows, rr_rows, len(ev)


GENESIS = "0" * 64
_CLOSERS = frozenset(
    {"closed_on_spot", "follow_up_recorded", "follow_up_exempted", "withdrawn", "closed_unclosed"}
)


def _cancel(obs: list[Ob], at: int) -> None:
    """services.deadlines.obligations_cancel: everything still running ends, except the forwarder's own."""
    for ob in obs:
        if ob.end is None and ob.kind != "forwarder_reply":
            ob.end, ob.how = at, "cancel"


def _sweep_replay(ob: Ob, last_run: int, paused_at: int | None) -> None:
    """What the sweep (services/overdue.py, one step per run) and the services did to `ob` until now."""
    steps = ob.steps
    stop = ob.end
    cal = _CTX.cal
    assert cal is not None
    pause = paused_at if paused_at is not None and (stop is None or paused_at < stop) else None
    step, prev = 0, -1
    nc: int | None = min(ob.warn, ob.due)
    while nc is not None:
        r = _run_after(nc, prev)
        if (
            r > last_run
            or (stop is not None and r >= stop)
            or (pause is not None and r >= pause and step < 2)
        ):
            break
        if step < 1 and r < ob.due:
            step, nc = 1, ob.due
        elif step < 2:
            step = 2
            sup = cal.add_minutes(ob.due, SUPERIOR_AFTER)
            nc = sup if sup > r else r
        elif step < 3:
            step = 3
            qm = cal.add_minutes(ob.due, QM_AFTER)
            nc = qm if qm > r else r
        else:
            step, nc = 4, None
        steps.append((r, step))
        prev = r
    ob.step = step
    missed = step >= 2
    if ob.how == "met":
        assert ob.end is not None  # met at its end
        ob.met_at = ob.end
        missed = missed or ob.end > ob.due
        ob.state, ob.next_check = ("missed" if missed else "met"), None
    elif ob.how == "cancel":
        ob.state, ob.next_check = ("missed" if missed else "cancelled"), None
    elif pause is not None and not missed:
        ob.state, ob.next_check, ob.paused_at = "paused", None, pause
        ob.paused_minutes = (
            max(0.0, (ob.due - pause) / MIN)
            if ob.rule["type"] == "clock_minutes"
            else max(0.0, cal.minutes_between(pause, ob.due))
        )
    else:
        ob.state, ob.next_check = ("missed" if missed else "open"), nc
    ob.breached_at = ob.due if ob.state == "missed" else None


_CTX: Ctx  # set in the main process before the workers fork
# render_chunk's outputs, in the order they are copied (a reply before its reviews: the keys are checked at
# the end, but the order is the foreign keys' all the same)
LOADED = ("complaints", "issues", "obligations", "events", "follow_ups", "replies", "reply_reviews")


# --------------------------------------------------------------------------------------------------
# Loading


def _ddl(cur, table: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """(drop, create index, add unique, add foreign key) statements for a table's secondary indexes,
    unique constraints and foreign keys; the primary key and check constraints stay."""
    cur.execute(
        """SELECT ic.relname, pg_get_indexdef(i.indexrelid), c.conname, c.contype, pg_get_constraintdef(c.oid)
           FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
           LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
           WHERE i.indrelid = %s::regclass AND NOT i.indisprimary ORDER BY ic.relname""",
        (table,),
    )
    drops, indexes, uniques = [], [], []
    for name, indexdef, conname, _contype, condef in cur.fetchall():
        if conname:
            drops.append(f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
            uniques.append(f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {condef}')
        else:
            drops.append(f'DROP INDEX "{name}"')
            indexes.append(indexdef)
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f' ORDER BY conname",
        (table,),
    )
    fks = []
    for conname, condef in cur.fetchall():
        drops.insert(0, f'ALTER TABLE {table} DROP CONSTRAINT "{conname}"')
        fks.append(f'ALTER TABLE {table} ADD CONSTRAINT "{conname}" {condef}')
    return drops, indexes, uniques, fks


def _check_columns(cur) -> None:
    """Refuse to load if a model gained a NOT NULL column without a default that this loader does not fill
    (others edit the models while this benchmark lives)."""
    mine = {
        TABLES[0]: COMPLAINT_COLS,
        TABLES[1]: ISSUE_COLS + ("id",),
        TABLES[2]: OBLIGATION_COLS,
        TABLES[3]: EVENT_COLS + ("id",),
        TABLES[4]: FOLLOW_UP_COLS + ("id",),
        TABLES[5]: REPLY_COLS,
        TABLES[6]: REPLY_REVIEW_COLS + ("id",),
    }
    for table, cols in mine.items():
        cur.execute(
            "SELECT column_name, is_nullable, column_default, is_identity FROM information_schema.columns "
            "WHERE table_name = %s",
            (table,),
        )
        rows = cur.fetchall()
        have = {r[0] for r in rows}
        missing = set(cols) - have
        if missing:
            raise SystemExit(f"{table} no longer has {sorted(missing)}: update bench/generate.py")
        unfilled = [r[0] for r in rows if r[0] not in cols and r[1] == "NO" and r[2] is None and r[3] == "NO"]
        if unfilled:
            raise SystemExit(
                f"{table} has new NOT NULL columns {unfilled} the loader does not fill: update "
                "bench/generate.py"
            )


def build_ctx(args, offices: list[OfficeRef], cal: FastCalendar, cid_base: int) -> Ctx:
    now = to_us(args.now)
    end = now - int(args.offset_years * 365.25 * DAY)
    start = end - int(args.years * 365.25 * DAY)
    first_day, last_day = local_day(start), local_day(end - 1)
    weights, caps = day_weights(first_day, last_day - first_day + 1, end)
    counts = allocate(args.complaints, weights)
    cum = [0]
    for c in counts:
        cum.append(cum[-1] + c)
    ages = [
        max((now - min(cap, (first_day + i) * DAY - LOCAL_OFFSET + DAY // 2)) / DAY, 0.0)
        for i, cap in enumerate(caps)
    ]
    tau = solve_tau(counts, ages, args.open_share * args.complaints)
    gap = args.sweep_gap_minutes * MIN
    last_minute = (now - gap) // MIN
    last_run = last_minute * MIN + (last_minute * 2654435761 % 1000) * 1000
    return Ctx(
        seed=args.seed,
        n=args.complaints,
        chunk=args.chunk,
        cid_base=cid_base,
        now=now,
        last_run=last_run,
        window_start=start,
        day_first=[first_day + i for i in range(len(counts))],
        day_cum=cum,
        day_end_cap=caps,
        tau_days=tau,
        office_weights=[max(len(o.rooms), 1) for o in offices],
        offices=offices,
        cal=cal,
        gap_minutes=args.sweep_gap_minutes,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("--complaints", type=int, default=1_000_000)
    ap.add_argument("--open-share", type=float, default=0.05, help="share of complaints still open at now")
    ap.add_argument("--years", type=float, default=3.0, help="complaints were received over this many years")
    ap.add_argument("--offset-years", type=float, default=0.0, help="... ending this many years before now")
    ap.add_argument("--now", default=None, help=f"ISO time taken as now (default {BENCH_NOW.isoformat()})")
    ap.add_argument(
        "--sweep-gap-minutes",
        type=int,
        default=60,
        help="the sweep last ran this long before now: what came due since is the backlog",
    )
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--reset", action="store_true", help="empty the complaint tables first")
    ap.add_argument("--append", action="store_true", help="add to the complaints already loaded")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--chunk", type=int, default=4000, help="complaints per COPY batch")
    ap.add_argument(
        "--verify-sample", type=int, default=100, help="complaints whose chain is verified afterwards"
    )
    args = ap.parse_args(argv)
    args.now = parse_now(args.now)
    setup_django()

    import psycopg
    from django.db import connection, connections

    from docket.complaints import events as events_mod
    from docket.complaints import kinds, workflow
    from docket.complaints.events import chain_verify, compute_hash
    from docket.complaints.models import Complaint, ComplaintEvent
    from docket.complaints.models import complaint as complaint_models
    from docket.complaints.services.procedure import AUTOMATIC_EXEMPTION_NOTES
    from docket.sla import duetimes, policies

    global PUBLIC_KINDS, _CTX, WARN_RATIO
    PUBLIC_KINDS = kinds.PUBLIC_KINDS
    AUTOMATIC_NOTES.update({str(k): v for k, v in AUTOMATIC_EXEMPTION_NOTES.items()})
    WARN_RATIO = policies.DEFAULT_RULES["warn_ratio"]
    REVIEW_ROUTES.update(workflow.REVIEW_ROUTES)
    REPLY_RULES.update(policies.DEFAULT_RULES["reply"])
    if events_mod.GENESIS != GENESIS:
        raise SystemExit("events.GENESIS changed: update bench/generate.py")
    if complaint_models.SEARCH_SEP != SEARCH_SEP:
        raise SystemExit("models.complaint.SEARCH_SEP changed: update bench/generate.py")
    t_start = time.perf_counter()
    print(
        f"docket bench generate: {fmt_int(args.complaints)} complaints, open share {args.open_share:.1%}, "
        f"now {args.now.isoformat()}, seed {args.seed}, {args.workers} workers"
    )

    # organisation, calendar, checks
    cur: Any  # Django's cursor here, psycopg's for the load below
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM complaints_complaint")
        existing = cur.fetchone()[0]
    if existing and not (args.reset or args.append):
        raise SystemExit(
            f"{fmt_int(existing)} complaints already loaded: pass --reset to replace them or --append"
        )
    if ensure_org():
        print("  built the organisation (conftest.build_org() + 10 offices, 3 companies)")
    offices = load_org()
    from docket.org.models import Company

    if {o.company_id for o in offices} != set(
        Company.objects.filter(group__code="grp").values_list("id", flat=True)
    ):
        print("  note: some company has no office")
    work = duetimes.calendar_for(offices[0].company_id)
    for o in offices:
        if duetimes.calendar_for(o.company_id) != work:
            raise SystemExit("companies with their own working hours: the loader assumes one calendar")
    from docket.sla.models import SlaPolicy

    if SlaPolicy.objects.exists():
        raise SystemExit("SLA policies configured: the loader assumes the default rules")
    now_us = to_us(args.now)
    window_start = now_us - int((args.years + args.offset_years) * 365.25 * DAY)
    first = from_us(window_start - 10 * DAY).astimezone(work.tz).date()
    last = from_us(now_us + 60 * DAY).astimezone(work.tz).date()
    while work.unknown_years_between(first, last) and last.year > args.now.year:
        last = date(last.year - 1, 12, 31)  # the calendar's data ends with the year of now
    if work.unknown_years_between(first, last) or (last - args.now.date()).days < 20:
        raise SystemExit(f"no holiday data around {first}..{last}: choose another --now")
    cal = FastCalendar(work, first, last)
    n_checked = cal.verify(work, random.Random(args.seed), window_start, now_us)
    print(f"  working-time maths checked against sla.calendar on {fmt_int(n_checked)} random instants")

    # hashing checked against events.compute_hash on a sample rendered with the real code
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM complaints_complaint")
        max_cid = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM complaints_obligation")
        max_ob = cur.fetchone()[0]
        cur.execute("SELECT coalesce(max(id), 0) FROM complaints_reply")
        max_reply = cur.fetchone()[0]
        cur.execute("SELECT office_id, day, last FROM complaints_receiptcounter")
        counters = {(r[0], r[1]): r[2] for r in cur.fetchall()}
    cid_base = 1 if args.reset else max_cid + 1
    ob_base0 = 1 if args.reset else max_ob + 1
    reply_base0 = 1 if args.reset else max_reply + 1
    ctx = build_ctx(args, offices, cal, cid_base)
    _CTX = ctx
    _self_check(ctx, compute_hash, ComplaintEvent, Complaint)
    office_index = {o.id: i for i, o in enumerate(offices)}
    receipts_global: dict[tuple[int, int], int] = {}
    if not args.reset:
        for (office_id, day), last_no in counters.items():
            if office_id in office_index:
                receipts_global[(office_index[office_id], (day - date(1970, 1, 1)).days)] = last_no
    print(
        f"  open probability exp(-age/{ctx.tau_days:.1f} d) for complaints not closed on the spot; the sweep's "
        f"last run before now: {from_us(ctx.last_run).isoformat()}"
    )
    connections.close_all()

    # the load, in one transaction
    conn = psycopg.connect(conninfo(), autocommit=False)
    cur = conn.cursor()
    cur.execute("SELECT pg_backend_pid()")
    backend = cur.fetchone()[0]
    cpu0 = (os.times(), _proc_cpu(backend))
    cur.execute("SET LOCAL synchronous_commit = off")
    cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
    cur.execute("SET LOCAL max_parallel_maintenance_workers = 2")
    _check_columns(cur)
    freeze = ""
    if args.reset:
        cur.execute(
            "TRUNCATE complaints_complaint, complaints_complaintissue, complaints_obligation, "
            "complaints_complaintevent, complaints_followup, complaints_replyreview, complaints_reply, "
            "complaints_receiptcounter, notifications_notification, notifications_deliveryattempt "
            "RESTART IDENTITY CASCADE"
        )
        freeze = " WITH (FREEZE)"
    ddl = {t: _ddl(cur, t) for t in TABLES}
    for t in TABLES:
        for stmt in ddl[t][0]:
            cur.execute(stmt)
    n_chunks = math.ceil(args.complaints / args.chunk)
    totals: collections.Counter[str] = collections.Counter()
    ev_hist: collections.Counter[int] = collections.Counter()
    t_load = time.perf_counter()
    last_print = t_load
    copy_sql = {
        "complaints": f"COPY complaints_complaint ({', '.join(COMPLAINT_COLS)}) FROM STDIN{freeze}",
        "issues": f"COPY complaints_complaintissue ({', '.join(ISSUE_COLS)}) FROM STDIN{freeze}",
        "obligations": f"COPY complaints_obligation ({', '.join(OBLIGATION_COLS)}) FROM STDIN{freeze}",
        "events": f"COPY complaints_complaintevent ({', '.join(EVENT_COLS)}) FROM STDIN{freeze}",
        "follow_ups": f"COPY complaints_followup ({', '.join(FOLLOW_UP_COLS)}) FROM STDIN{freeze}",
        "replies": f"COPY complaints_reply ({', '.join(REPLY_COLS)}) FROM STDIN{freeze}",
        "reply_reviews": f"COPY complaints_replyreview ({', '.join(REPLY_REVIEW_COLS)}) FROM STDIN{freeze}",
    }

    def tasks():
        ob_base, reply_base = ob_base0, reply_base0
        for k in range(n_chunks):
            plans = plan_chunk(ctx, k)
            start = {}
            for p in plans:
                key = (p.office, local_day(p.t0))
                if key not in start:
                    start[key] = receipts_global.get(key, 0)
                receipts_global[key] = receipts_global.get(key, 0) + 1
            yield (k, ob_base, reply_base, start, plans)
            ob_base += sum(len(p.obligations) for p in plans)
            reply_base += sum(_drafts_reply(p) for p in plans)

    copy_seconds, wait_seconds = [0.0], [0.0]
    mp = multiprocessing.get_context("fork")
    with mp.Pool(args.workers) as pool:
        pending: collections.deque[Any] = collections.deque()
        expected_ob = [ob_base0]
        expected_reply = [reply_base0]
        it = tasks()
        done = 0

        def consume(result):
            nonlocal done, last_print
            t_c = time.perf_counter()
            for table in LOADED:
                with cur.copy(copy_sql[table]) as cp:
                    cp.write(result[table])
            copy_seconds[0] += time.perf_counter() - t_c
            if (
                result["k"] != done
                or result["ob_base"] != expected_ob[done]
                or result["reply_base"] != expected_reply[done]
            ):
                raise AssertionError(f"chunk {result['k']} out of order")
            expected_ob.append(result["next_ob"])
            expected_reply.append(result["next_reply"])
            totals.update(result["stats"])
            ev_hist.update(result["ev_hist"])
            done += 1
            t = time.perf_counter()
            if t - last_print > 10 or done == n_chunks:
                last_print = t
                rows = sum(totals[k] for k in LOADED)
                print(
                    f"  {fmt_int(totals['complaints']):>10} complaints  {fmt_int(rows):>11} rows  "
                    f"{t - t_load:6.0f} s  {fmt_int(totals['complaints'] / (t - t_load))} complaints/s  "
                    f"{fmt_int(rows / (t - t_load))} rows/s",
                    flush=True,
                )

        def wait(job):
            t_w = time.perf_counter()
            result = job.get()
            wait_seconds[0] += time.perf_counter() - t_w
            return result

        for task in it:
            pending.append(pool.apply_async(render_chunk, (task,)))
            if len(pending) >= args.workers * 2:
                consume(wait(pending.popleft()))
        while pending:
            consume(wait(pending.popleft()))
    t_copied = time.perf_counter()
    cpu1 = (os.times(), _proc_cpu(backend))
    print(
        f"  COPY done in {t_copied - t_load:.0f} s ({copy_seconds[0]:.0f} s sending, {wait_seconds[0]:.0f} s waiting "
        "for the workers); rebuilding indexes and foreign keys"
    )
    index_seconds = {}
    for t in TABLES:
        t_i = time.perf_counter()
        for stmt in ddl[t][1] + ddl[t][2]:
            cur.execute(stmt)
        index_seconds[t] = (len(ddl[t][1]) + len(ddl[t][2]), time.perf_counter() - t_i)
    t_indexed = time.perf_counter()
    for t in TABLES:
        for stmt in ddl[t][3]:
            cur.execute(stmt)
    t_fk = time.perf_counter()
    for table, col in (
        ("complaints_complaint", "id"),
        ("complaints_complaintissue", "id"),
        ("complaints_obligation", "id"),
        ("complaints_complaintevent", "id"),
        ("complaints_reply", "id"),
    ):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{col}'), "
            f"(SELECT coalesce(max({col}), 1) FROM {table}))"
        )
    rows = [(offices[o].id, date.fromordinal(_EPOCH_ORD + d), n) for (o, d), n in receipts_global.items()]
    if args.reset:
        with cur.copy("COPY complaints_receiptcounter (office_id, day, last) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
    else:
        cur.execute("CREATE TEMP TABLE bench_counters (office_id bigint, day date, last int) ON COMMIT DROP")
        with cur.copy("COPY bench_counters FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
        cur.execute(
            "INSERT INTO complaints_receiptcounter (office_id, day, last) SELECT * FROM bench_counters "
            "ON CONFLICT (office_id, day) DO UPDATE SET last = GREATEST(complaints_receiptcounter.last, "
            "excluded.last)"
        )
    conn.commit()
    t_commit = time.perf_counter()
    conn.autocommit = True
    for t in TABLES:
        conn.execute(f"VACUUM ANALYZE {t}" if not args.reset else f"ANALYZE {t}")
    t_analyze = time.perf_counter()
    conn.close()

    rows_total = sum(totals[k] for k in LOADED)
    elapsed = t_analyze - t_start
    print()
    print(f"  {'stage':<34}{'seconds':>9}")
    for label, a, b in [
        ("organisation, calendar, checks", t_start, t_load),
        ("render + COPY (workers)", t_load, t_copied),
        ("indexes and unique constraints", t_copied, t_indexed),
        ("foreign keys (validated)", t_indexed, t_fk),
        ("sequences, counters, commit", t_fk, t_commit),
        ("analyze", t_commit, t_analyze),
    ]:
        print(f"  {label:<34}{b - a:9.1f}")
    print(f"  {'total':<34}{elapsed:9.1f}")
    (times0, pg_a), (times1, pg_b) = cpu0, cpu1
    workers = times1.children_user + times1.children_system - times0.children_user - times0.children_system
    main_cpu = times1.user + times1.system - times0.user - times0.system
    pg = f"{pg_b - pg_a:.0f} s" if pg_a is not None and pg_b is not None else "n/a"
    print(
        f"  CPU during render + COPY: workers {workers:.0f} s, main process {main_cpu:.0f} s, PostgreSQL backend {pg}"
        f" (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    print(
        "  indexes rebuilt: "
        + ", ".join(
            f"{t.removeprefix('complaints_')} {n} in {s:.0f} s" for t, (n, s) in index_seconds.items()
        )
    )
    print(
        f"\n  rows: {fmt_int(totals['complaints'])} complaints, {fmt_int(totals['issues'])} issues, "
        f"{fmt_int(totals['obligations'])} obligations, {fmt_int(totals['events'])} events, "
        f"{fmt_int(totals['follow_ups'])} follow-ups, {fmt_int(totals['replies'])} replies, "
        f"{fmt_int(totals['reply_reviews'])} reply reviews = {fmt_int(rows_total)} "
        f"rows; {fmt_int(rows_total / elapsed)} rows/s overall, {fmt_int(totals['complaints'] / elapsed)} "
        f"complaints/s"
    )
    hist = sorted(ev_hist.items())
    mean = sum(n * c for n, c in hist) / max(1, sum(c for _n, c in hist))
    print(
        f"  events per complaint: min {hist[0][0]}, mean {mean:.2f}, max {hist[-1][0]}; "
        + ", ".join(f"{n}:{c}" for n, c in hist)
    )
    states = sorted((k[6:], v) for k, v in totals.items() if k.startswith("state:"))
    print("  complaint states: " + ", ".join(f"{k} {fmt_int(v)}" for k, v in states))
    obst = sorted((k[3:], v) for k, v in totals.items() if k.startswith("ob:"))
    print("  obligations: " + ", ".join(f"{k} {fmt_int(v)}" for k, v in obst))
    rst = sorted((k[6:], v) for k, v in totals.items() if k.startswith("reply:"))
    print("  replies: " + ", ".join(f"{k} {fmt_int(v)}" for k, v in rst))
    return _verify(args, totals, cid_base, chain_verify, Complaint)


def _proc_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of a local process, when /proc shows it (the PostgreSQL backend)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _self_check(ctx: Ctx, compute_hash, ComplaintEvent, Complaint) -> None:
    """Render the first complaints and recompute their hashes with events.compute_hash on model instances
    built from the rendered columns (as chain_verify will read them back)."""
    rows = render_chunk((0, 1, 1, {}, None))["events"].decode().splitlines()[:60]
    prev = GENESIS
    last_c = None
    for line in rows:
        f = line.split("\t")
        cid = int(f[0])
        if cid != last_c:
            prev, last_c = GENESIS, cid
        payload = json.loads(f[9].replace("\\\\", "\\"))
        e = ComplaintEvent(
            complaint_id=cid,
            company_id=int(f[1]),
            seq=int(f[2]),
            kind=f[3],
            actor_id=None if f[4] == N else int(f[4]),
            actor_name=f[5],
            actor_role=f[6],
            at=datetime.fromisoformat(f[7]),
            public=f[8] == "t",
            payload=payload,
            prev_hash=f[10],
        )
        if f[10] != prev or compute_hash(prev, e) != f[11]:
            raise SystemExit(f"inline hash differs from events.compute_hash at complaint {cid} event {f[2]}")
        prev = f[11]
    print(f"  inline hashing checked against events.compute_hash on {len(rows)} events")


def _verify(args, totals, cid_base: int, chain_verify, Complaint) -> int:
    from django.db import connection

    print("\nverification")
    ok = True
    with connection.cursor() as cur:
        for table, key in (
            ("complaints_complaint", "complaints"),
            ("complaints_complaintissue", "issues"),
            ("complaints_obligation", "obligations"),
            ("complaints_complaintevent", "events"),
            ("complaints_followup", "follow_ups"),
            ("complaints_reply", "replies"),
            ("complaints_replyreview", "reply_reviews"),
        ):
            cur.execute(
                f"SELECT count(*) FROM {table}" + (f" WHERE id >= {cid_base}" if key == "complaints" else "")
            )
            n = cur.fetchone()[0]
            expected = totals[key] if args.reset or key == "complaints" else None
            good = expected is None or n == expected
            ok &= good
            print(
                f"  {table:<28}{fmt_int(n):>12}  {'ok' if expected is None or good else f'expected {fmt_int(expected)}'}"
            )
        cur.execute(
            "SELECT count(*) FROM complaints_complaint WHERE state NOT IN ('closed', 'unclosed', 'withdrawn')"
        )
        n_open = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM complaints_complaint")
        n_all = cur.fetchone()[0]
        print(f"  open complaints {fmt_int(n_open)} = {n_open / max(n_all, 1):.2%} of {fmt_int(n_all)}")
        cur.execute("""SELECT count(*) FROM complaints_obligation o JOIN complaints_complaint c ON c.id = o.complaint_id
                       WHERE o.next_check_at IS NOT NULL AND c.state IN ('closed', 'unclosed', 'withdrawn')""")
        n_bad = cur.fetchone()[0]
        ok &= n_bad == 0
        print(
            f"  obligations of ended complaints still checked by the sweep: {n_bad} {'ok' if not n_bad else 'WRONG'}"
        )
        cur.execute("SELECT count(*) FROM complaints_complaint WHERE company_id IS NULL OR office_id IS NULL")
        n_scope = cur.fetchone()[0]
        ok &= n_scope == 0
    rng = random.Random(args.seed + 1)
    hi = cid_base + totals["complaints"]
    ids = sorted(rng.sample(range(cid_base, hi), min(args.verify_sample, hi - cid_base)))
    broken = [
        pr for c in Complaint.objects.filter(id__in=ids).only("id", "receipt_no") if (pr := chain_verify(c))
    ]
    ok &= not broken and len(ids) > 0
    print(
        f"  chain_verify on {len(ids)} random complaints: {len(broken)} broken {'ok' if not broken else broken[:3]}"
    )
    rng = random.Random(args.seed + 2)
    ids = sorted(rng.sample(range(cid_base, hi), min(args.verify_sample * 20, hi - cid_base)))
    n_replies, wrong = check_replies(ids)
    ok &= not wrong
    print(
        f"  replies and reviews of {len(ids)} random complaints ({n_replies} replies) against their events replayed "
        f"as services/review.py writes them: {len(wrong)} differ {'ok' if not wrong else wrong[:3]}"
    )
    n_ended, wrong = check_issue_endings(ids)
    ok &= not wrong
    print(
        f"  issues of the {n_ended} complaints among them closed on the spot or withdrawn, as the services end "
        f"them: {len(wrong)} differ {'ok' if not wrong else wrong[:3]}"
    )
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


def replay_replies(events: list[tuple]) -> tuple[dict[int, dict], list[tuple]]:
    """The Reply and ReplyReview rows services/review.py leaves behind the reply events of one complaint
    (kind, actor id, at, payload; in chain order): reply_draft_save creates a draft numbered after the last
    sent one or edits the working one, reply_submit freezes the route and starts a round, a review adds its
    decision at the pending stage of the round, reply_send sends it. Raises where the services would refuse."""
    replies: dict[int, dict] = {}
    reviews: list[tuple] = []
    current: dict | None = None
    for kind, actor, at, pl in events:
        n = pl["reply"]
        if kind == "reply_drafted":
            if current is None or current["state"] == "sent":
                if n != (current["number"] + 1 if current else 1):
                    raise AssertionError(f"reply {n} drafted after {current and current['number']}")
                current = replies[n] = {
                    "number": n,
                    "body": pl["body"],
                    "state": "draft",
                    "review_stages": [],
                    "review_round": 0,
                    "author": actor,
                    "created_at": at,
                    "updated_at": at,
                    "sent_by": None,
                    "sent_at": None,
                }
            else:
                current["body"], current["updated_at"] = pl["body"], at
            continue
        if current is None or current["number"] != n:
            raise AssertionError(f"{kind} of reply {n} without its draft")
        if kind == "reply_submitted":
            if current["state"] not in ("draft", "returned"):
                raise AssertionError(f"reply {n} submitted while {current['state']}")
            current["state"], current["review_stages"], current["updated_at"] = "in_review", pl["stages"], at
            current["review_round"] += 1
        elif kind in ("reply_approved", "reply_returned"):
            done = {r[1] for r in reviews if r[0] == n and r[3] and r[2] == current["review_round"]}
            pending = next((st for st in current["review_stages"] if st not in done), "")
            if current["state"] != "in_review" or pl["stage"] != pending:
                raise AssertionError(f"reply {n} reviewed at {pl['stage']}, pending {pending!r}")
            approved = kind == "reply_approved"
            reviews.append((n, pending, current["review_round"], approved, pl["comment"], actor, at))
            if not approved:
                current["state"] = "returned"
            elif pl["next_stage"] is None:
                current["state"] = "approved"
        elif kind == "reply_sent":
            if current["state"] not in ("approved", "draft", "returned") or pl["body"] != current["body"]:
                raise AssertionError(f"reply {n} sent while {current['state']} or with another body")
            current["state"], current["sent_by"], current["sent_at"] = "sent", actor, at
    return replies, reviews


def check_issue_endings(ids: list[int]) -> tuple[int, list[str]]:
    """The issues of those of complaints `ids` that ended closed on the spot or withdrawn, against what the
    services leave: closed on the spot, every issue closed at the complaint's closing time and named by the
    closing event (services.intake.complaint_close_on_spot); withdrawn, none left for a department to handle
    (services.closing.withdraw_apply). Returns (complaints checked, differences). Through the ORM, as
    `check_replies`, so the test suite holds it against the services (tests/test_close_on_spot.py)."""
    from docket.complaints.models import Complaint, ComplaintEvent, ComplaintIssue

    ended = {
        cid: (kind, closed_at)
        for cid, kind, closed_at in Complaint.objects.filter(
            id__in=ids,
            state__in=("closed", "withdrawn"),
            closure_kind__in=("on_the_spot", "withdrawn"),
        ).values_list("id", "closure_kind", "closed_at")
    }
    issues: dict[int, list[tuple]] = collections.defaultdict(list)
    for cid, seq, state, closed_at in (
        ComplaintIssue.objects.filter(complaint_id__in=list(ended))
        .order_by("complaint_id", "seq")
        .values_list("complaint_id", "seq", "state", "closed_at")
    ):
        issues[cid].append((seq, state, closed_at))
    named = dict(
        ComplaintEvent.objects.filter(complaint_id__in=list(ended), kind="closed_on_spot").values_list(
            "complaint_id", "payload"
        )
    )
    wrong = []
    for cid, (kind, closed_at) in sorted(ended.items()):
        rows = issues.get(cid, [])
        if kind == "on_the_spot":
            bad = [r for r in rows if r[1:] != ("closed", closed_at)]
            if bad or (named.get(cid) or {}).get("issues") != [r[0] for r in rows]:
                wrong.append(f"complaint {cid} closed on the spot: issues {rows}, event {named.get(cid)}")
        elif any(r[1] not in ("verified", "closed", "withdrawn") for r in rows):
            wrong.append(f"complaint {cid} withdrawn: issues {rows}")
    return len(ended), wrong


def check_replies(ids: list[int]) -> tuple[int, list[str]]:
    """Compare the loaded Reply and ReplyReview rows of complaints `ids` with what the services would have
    written for their (chain-verified) reply events, and the complaint's review state with the reply's.
    Through the ORM, so the test suite can hold it against complaints driven through the real services
    (docket/complaints/tests/test_bench_replies.py)."""
    from docket.complaints.models import Complaint, ComplaintEvent, Reply, ReplyReview

    events: dict[int, list[tuple]] = collections.defaultdict(list)
    for cid, kind, actor, at, pl in (
        ComplaintEvent.objects.filter(complaint_id__in=ids, kind__startswith="reply_")
        .order_by("complaint_id", "seq")
        .values_list("complaint_id", "kind", "actor_id", "at", "payload")
        .iterator(chunk_size=5000)
    ):
        events[cid].append((kind, actor, at, pl))
    rows: dict[int, dict[int, dict]] = collections.defaultdict(dict)
    for r in Reply.objects.filter(complaint_id__in=ids).values(
        *(c for c in REPLY_COLS if c not in ("id", "company_id"))
    ):
        rows[r["complaint_id"]][r["number"]] = {
            "number": r["number"],
            "body": r["body"],
            "state": r["state"],
            "review_stages": r["review_stages"],
            "review_round": r["review_round"],
            "author": r["author_id"],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
            "sent_by": r["sent_by_id"],
            "sent_at": r["sent_at"],
        }
    got_reviews: dict[int, list[tuple]] = collections.defaultdict(list)
    for cid, *review in (
        ReplyReview.objects.filter(reply__complaint_id__in=ids)
        .order_by("reviewed_at", "id")
        .values_list(
            "reply__complaint_id",
            "reply__number",
            "stage",
            "round",
            "approved",
            "comment",
            "reviewer_id",
            "reviewed_at",
        )
    ):
        got_reviews[cid].append(tuple(review))
    complaints = {
        cid: (state, stage)
        for cid, state, stage in Complaint.objects.filter(id__in=ids).values_list(
            "id", "state", "review_stage"
        )
    }
    wrong = []
    for cid in ids:
        try:
            want, want_reviews = replay_replies(events.get(cid, []))
        except AssertionError as e:
            wrong.append(f"complaint {cid}: {e}")
            continue
        if rows.get(cid, {}) != want:
            wrong.append(f"complaint {cid}: replies {rows.get(cid)} != {want}")
        if got_reviews.get(cid, []) != want_reviews:
            wrong.append(f"complaint {cid}: reviews {got_reviews.get(cid)} != {want_reviews}")
        state, stage = complaints[cid]
        last = want[max(want)] if want else None
        if (last is not None and last["state"] == "in_review") != (state == "in_review") or (
            (last is not None and last["state"] == "approved") != (state == "reply_approved")
        ):
            wrong.append(f"complaint {cid} is {state} with its reply {last and last['state']}")
        elif state == "in_review":
            assert last is not None
            done = {
                r[1] for r in want_reviews if r[0] == last["number"] and r[3] and r[2] == last["review_round"]
            }
            if stage != next((st for st in last["review_stages"] if st not in done), ""):
                wrong.append(f"complaint {cid} in review at {stage!r}, its reply at another stage")
    return sum(len(r) for r in rows.values()), wrong


if __name__ == "__main__":
    sys.exit(main())
