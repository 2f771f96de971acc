"""Shared test fixtures: a small but complete organisation with one user per role."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from docket.accounts.models import Role, User
from docket.accounts.services import role_grant
from docket.complaints import db_guards
from docket.complaints.models import Category, Channel, Method
from docket.complaints.services import ComplaintInput, IssueInput, complaint_register
from docket.org.models import (
    Building,
    Community,
    Company,
    Department,
    ExternalParty,
    Group,
    Office,
    OwnersCommittee,
    Room,
    Unit,
)


@dataclass
class OfficeKit:
    office: Office
    community: Community
    depts: dict[str, Department]
    users: dict[str, User]
    room: Room
    committee: OwnersCommittee


@dataclass
class Org:
    group: Group
    company: Company
    company_depts: dict[str, Department]
    a: OfficeKit
    b: OfficeKit
    users: dict[str, User] = field(default_factory=dict)  # company- and group-level users
    developer: ExternalParty = field(init=False)  # set by build_org
    categories: dict[str, Category] = field(default_factory=dict)
    other_company_qm: User = field(init=False)  # set by build_org


def _user(username: str, name: str) -> User:
    return User.objects.create_user(username=username, password="pw", display_name=name)


def _office(company: Company, code: str, name: str) -> OfficeKit:
    office = Office.objects.create(company=company, name=f"{name}管理处", code=code)
    community = Community.objects.create(office=office, name=name)
    depts = {
        kind: Department.objects.create(company=company, office=office, kind=kind, name=label)
        for kind, label in [("customer_service", "客服部"), ("engineering", "工程部"), ("security", "秩序部")]
    }
    building = Building.objects.create(community=community, name="1号楼")
    unit = Unit.objects.create(building=building, name="1单元")
    room = Room.objects.create(unit=unit, number="101")
    committee = OwnersCommittee.objects.create(community=community, name=f"{name}业主委员会")
    p = code.lower()
    users = {
        "reception": _user(f"{p}_reception", f"{name}前台"),
        "office_manager": _user(f"{p}_manager", f"{name}经理"),
        "eng_staff": _user(f"{p}_eng_staff", f"{name}工程员"),
        "eng_supervisor": _user(f"{p}_eng_sup", f"{name}工程主管"),
        "eng_manager": _user(f"{p}_eng_mgr", f"{name}工程经理"),
        "cs_supervisor": _user(f"{p}_cs_sup", f"{name}客服主管"),
        "sec_supervisor": _user(f"{p}_sec_sup", f"{name}秩序主管"),
        "committee": _user(f"{p}_committee", f"{name}业委会委员"),
    }
    role_grant(user=users["reception"], role=Role.RECEPTION, scope_obj=office)
    role_grant(
        user=users["office_manager"],
        role=Role.OFFICE_MANAGER,
        scope_obj=office,
        compensation_limit=Decimal("2000"),
    )
    role_grant(user=users["eng_staff"], role=Role.DEPT_STAFF, scope_obj=depts["engineering"])
    role_grant(user=users["eng_supervisor"], role=Role.DEPT_SUPERVISOR, scope_obj=depts["engineering"])
    role_grant(
        user=users["eng_manager"],
        role=Role.DEPT_MANAGER,
        scope_obj=depts["engineering"],
        compensation_limit=Decimal("500"),
    )
    role_grant(user=users["cs_supervisor"], role=Role.DEPT_SUPERVISOR, scope_obj=depts["customer_service"])
    role_grant(user=users["sec_supervisor"], role=Role.DEPT_SUPERVISOR, scope_obj=depts["security"])
    role_grant(user=users["committee"], role=Role.COMMITTEE_MEMBER, scope_obj=committee)
    return OfficeKit(office, community, depts, users, room, committee)


def build_org() -> Org:
    group = Group.objects.create(name="示例集团", code="grp")
    company = Company.objects.create(group=group, name="示例物业公司", code="co1")
    company_depts = {
        kind: Department.objects.create(company=company, office=None, kind=kind, name=label)
        for kind, label in [("qm", "品质管理部"), ("general_office", "办公室"), ("leadership", "公司管理层")]
    }
    org = Org(
        group=group,
        company=company,
        company_depts=company_depts,
        a=_office(company, "CYY", "朝阳园"),
        b=_office(company, "LXY", "丽雅苑"),
    )
    org.users = {
        "qm": _user("qm", "品质管理部审核员"),
        "general_office": _user("go", "办公室法务"),
        "mgmt_rep": _user("mr", "管理者代表"),
        "leadership": _user("lead", "分管领导"),
        "group_property": _user("grp", "集团物业管理部"),
        "qm_info_officer": _user("qminfo", "品质管理部信息管理员"),
    }
    role_grant(user=org.users["qm"], role=Role.QM, scope_obj=company, compensation_limit=Decimal("5000"))
    role_grant(user=org.users["general_office"], role=Role.GENERAL_OFFICE, scope_obj=company)
    role_grant(user=org.users["mgmt_rep"], role=Role.MGMT_REP, scope_obj=company)
    role_grant(
        user=org.users["leadership"],
        role=Role.LEADERSHIP,
        scope_obj=company,
        compensation_limit=Decimal("50000"),
    )
    role_grant(user=org.users["group_property"], role=Role.GROUP_PROPERTY, scope_obj=group)
    role_grant(user=org.users["qm_info_officer"], role=Role.QM_INFO_OFFICER, scope_obj=company)
    org.developer = ExternalParty.objects.create(group=group, kind="developer", name="地产客户关系中心")
    top = Category.objects.create(company=company, name="设施设备")
    org.categories = {
        "设施设备": top,
        "电梯": Category.objects.create(company=company, parent=top, name="电梯"),
        "地产遗留": Category.objects.create(company=company, name="地产遗留", developer_related=True),
    }
    other = Company.objects.create(group=group, name="另一物业公司", code="co2")
    org.other_company_qm = _user("qm2", "另一公司品质")
    role_grant(user=org.other_company_qm, role=Role.QM, scope_obj=other)
    return org


# The organisation is built once per test database and committed (`shared_org`); each test gets its own
# in-memory copy, and its changes roll back with the test's transaction as before. Building it took 60-110 ms,
# in front of most of the suite's thousands of tests (docs/decisions.md, "CI time"). A transactional test
# (whose end flushes the database) starts from an empty database as before: the committed organisation is
# flushed first, and built again, before any transaction opens, for the next test that needs it.
_SHARED_ORG: dict[str, Org] = {}  # key: the test database's name (one per xdist worker)
_DB_READY: list[bool] = []  # set once the session's test database exists


def _db_key() -> str:
    from django.db import connection

    return str(connection.settings_dict["NAME"])


def shared_org() -> Org:
    """A fresh in-memory copy of the organisation committed in the test database, built (and committed)
    on first use and again after a flush removed it. Inside a transaction (a test's, a module's) a missing
    organisation is built there instead, and rolls back with it."""
    from django.db import connection, transaction

    key = _db_key()
    template = _SHARED_ORG.get(key)
    if template is None:
        if connection.in_atomic_block:
            return build_org()
        with transaction.atomic():
            template = _SHARED_ORG[key] = build_org()
    return copy.deepcopy(template)


def _is_transactional(item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's test database; from the next test on, `pytest_runtest_setup` may use it. At the end of
    the session this process's media folder goes with it (config/settings/test.py: one per process)."""
    import shutil

    from django.conf import settings

    _DB_READY.append(True)
    yield
    if "test-media" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture of the test (so before its transaction opens): a test that uses `org` finds it
    committed; a transactional test finds the database empty, as pytest-django leaves it."""
    if not _DB_READY:
        return
    # A transactional test, or one marked `empty_db`, starts from an empty database.
    transactional = _is_transactional(item) or item.get_closest_marker("empty_db") is not None
    if not (transactional or "org" in getattr(item, "fixturenames", ())):
        return
    from django.core.management import call_command
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        if transactional:
            if _SHARED_ORG.pop(_db_key(), None) is not None:
                db_guards.relax_delete_guard(connection)
                call_command("flush", verbosity=0, interactive=False)
                db_guards.restore_delete_guard(connection)
        else:
            shared_org()


@pytest.fixture
def org(request, db) -> Org:
    if _is_transactional(request.node):
        return build_org()  # flushed at the test's end with everything else
    return shared_org()


def make_complaint(org: Org, *, kit: OfficeKit | None = None, actor: User | None = None, **overrides):
    """Register a complaint through the real service (phone by default: no review needed)."""
    kit = kit or org.a
    data: dict[str, Any] = dict(
        office_id=kit.office.id,
        channel=Channel.OFFICE,
        method=Method.PHONE,
        subject="1号楼电梯经常故障",
        description="1号楼2号电梯本周停运三次，老人出行困难。",
        complainant_name="王",
        complainant_phone="13800000001",
        room_id=kit.room.id,
        issues=[IssueInput(summary="电梯故障频繁", category_id=org.categories["电梯"].id)],
    )
    data.update(overrides)
    if data.get("received_at") is not None:  # a backdated time needs its reason when it is before today
        data.setdefault("received_reason", "补录")
    return complaint_register(actor=actor or kit.users["reception"], data=ComplaintInput(**data)).complaint


@pytest.fixture
def complaint_factory(org):
    def factory(**kw):
        return make_complaint(org, **kw)

    return factory


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request with another Accept-Language activates it for
    the thread (LocaleMiddleware), which would otherwise leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (throttle windows, cached lookups). On Redis only this test
    process's keys are removed (KEY_PREFIX in config/settings/test.py), never another run's."""
    from django.conf import settings
    from django.core.cache import cache, caches
    from django.core.cache.backends.redis import RedisCache

    # By class, not by the BACKEND's dotted path: Docket's own Redis cache (docket/core/cache.py) is one too,
    # and `cache.clear()` on Redis would empty the other xdist workers' keys mid-test.
    if isinstance(caches["default"], RedisCache):
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    from docket.core import generations

    generations.clear()  # process-local values loaded under a rolled-back test's rows
    from docket.notifications import service

    # The notification tables kept in memory (webhook endpoints, robots, opt-outs, preferences) are dropped
    # on a save in this process, but a test's rollback sends no signal: a later test in the same worker
    # would see an endpoint that no longer exists (an extra webhook row beside the SMS it counts).
    service.caches_clear()
    yield


@pytest.fixture(autouse=True)
def _event_delete_guard(request):
    """Tests with real transactions end with a flush; on SQLite that is DELETE, which the append-only
    trigger refuses (PostgreSQL flushes with TRUNCATE). Lift the DELETE guard just before such a flush
    and put it back before the next database test starts, outside any test transaction."""
    names = request.fixturenames
    transactional = "transactional_db" in names or "live_server" in names
    if not (transactional or "db" in names):
        yield
        return
    from django.db import connection

    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        db_guards.restore_delete_guard(connection)
    if transactional:
        request.getfixturevalue("transactional_db")
    yield
    if transactional:
        with blocker.unblock():
            db_guards.relax_delete_guard(connection)
