"""Writes the demo organisation: group, parties, companies with categories, offices with departments,
buildings, rooms and residents, and one account per post (every password DEMO_PASSWORD)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import make_password

from docket.accounts.models import Role, User
from docket.accounts.services import role_grant
from docket.complaints.models import Category
from docket.org.models import (
    Building,
    Community,
    Company,
    Department,
    ExternalParty,
    Group,
    Office,
    OwnersCommittee,
    PublicArea,
    Resident,
    Room,
    Unit,
)

from .organisation import (
    ADMIN_USER,
    CATEGORY_TREE,
    COMMITTEE_USER,
    COMPANIES,
    COMPANY_DEPTS,
    COMPANY_POSTS,
    COMPANY_PREFIX,
    DEMO_GROUP_CODE,
    DEMO_LOGINS,
    DEMO_MORE_LOGINS,
    DEMO_PASSWORD,
    EXTERNAL_PARTIES,
    GROUP_NAME,
    GROUP_USER,
    OFFICE_DEPTS,
    OFFICE_POSTS,
    OFFICES,
    OfficeSpec,
    office_channels,
)
from .residents import GIVEN, SURNAMES, ResidentRef

# seed part 2 (issue 15): every demo community's public areas (R-ORG-2).
DEMO_PUBLIC_AREAS = (
    ("gate", "南大门"),
    ("gate", "北门"),
    ("car_park", "地下停车场"),
    ("garden", "中心花园"),
    ("clubhouse", "会所"),
)


class DemoConflict(Exception):
    """The database already holds something the demo would have to overwrite."""


@dataclass
class OfficeKit:
    spec: OfficeSpec
    office: Office
    company_key: str
    depts: dict[str, Department]
    users: dict[str, User]
    residents: list[ResidentRef]
    buildings: list[str]
    committee: OwnersCommittee | None = None


@dataclass
class CompanyKit:
    key: str
    company: Company
    depts: dict[str, Department]
    users: dict[str, User]
    categories: dict[tuple[str, str], Category]


class Loader:
    """The loader's state, and the organisation it writes first (`Planner` adds the plans)."""

    def __init__(self, *, seed: int, horizon: datetime, log: Callable[[str], None]):
        self.rng = random.Random(seed)
        self.horizon = horizon
        self.log = log
        self.offices: list[OfficeKit] = []
        self.companies: dict[str, CompanyKit] = {}
        self.parties: dict[str, ExternalParty] = {}
        self.group: Group | None = None
        self.group_user: User | None = None
        self.users = 0
        self._phones = 0
        self._names: set[str] = set()

    # ---- organisation ---------------------------------------------------------------------------

    def _user(self, username: str, display: str, password: str, **extra) -> User:
        self.users += 1
        return User.objects.create(
            username=username,
            display_name=display,
            password=password,
            phone=f"1390000{self.users:04d}",
            **extra,
        )

    def _person(self) -> str:
        rng = self.rng
        for _ in range(50):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if name not in self._names:
                break
        self._names.add(name)
        return name

    def build_org(self) -> None:
        wanted = [u for u, _r, _s in DEMO_LOGINS + DEMO_MORE_LOGINS if u != ADMIN_USER[0]]
        taken = list(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        if taken:
            raise DemoConflict(f"demo usernames already exist: {', '.join(sorted(taken))}")
        password = make_password(DEMO_PASSWORD)
        self.group = Group.objects.create(name=GROUP_NAME, code=DEMO_GROUP_CODE)
        self.group_user = self._user(GROUP_USER[0], GROUP_USER[1], password)
        role_grant(user=self.group_user, role=Role.GROUP_PROPERTY, scope_obj=self.group)
        if not User.objects.filter(username=ADMIN_USER[0]).exists():
            self._user(ADMIN_USER[0], ADMIN_USER[1], password, is_staff=True, is_superuser=True)
        for key, kind, name, contact in EXTERNAL_PARTIES:
            self.parties[key] = ExternalParty.objects.create(
                group=self.group, kind=kind, name=name, contact=contact
            )

        for n, (key, (name, code)) in enumerate(COMPANIES.items()):
            company = Company.objects.create(group=self.group, name=name, code=code)
            depts = {
                kind: Department.objects.create(company=company, kind=kind, name=label)
                for kind, label in COMPANY_DEPTS
            }
            users = {}
            for post, role, limit, names, _note in COMPANY_POSTS:
                u = self._user(f"{COMPANY_PREFIX[key]}{post}", names[n], password)
                role_grant(user=u, role=role, scope_obj=company, compensation_limit=limit)
                if post == "qm_info":  # escalation (issue 12): the QM information officer's own role too
                    role_grant(user=u, role=Role.QM_INFO_OFFICER, scope_obj=company)
                users[post] = u
            categories: dict[tuple[str, str], Category] = {}
            for sort, (top, dev, children) in enumerate(CATEGORY_TREE):
                parent = Category.objects.create(company=company, name=top, developer_related=dev, sort=sort)
                categories[(top, "")] = parent
                for i, child in enumerate(children):
                    categories[(top, child)] = Category.objects.create(
                        company=company, parent=parent, name=child, developer_related=dev, sort=i
                    )
            self.companies[key] = CompanyKit(key, company, depts, users, categories)

        for i, spec in enumerate(OFFICES):
            self.offices.append(self._build_office(spec, i, password))

    def _build_office(self, spec: OfficeSpec, index: int, password: str) -> OfficeKit:
        rng = self.rng
        company = self.companies[spec.company].company
        office = Office.objects.create(
            company=company, name=spec.name, code=spec.code, phone=spec.phone, **office_channels(spec)
        )
        community = Community.objects.create(office=office, name=spec.community, address=spec.address)
        depts = {
            kind: Department.objects.create(company=company, office=office, kind=kind, name=name)
            for kind, name, _post in OFFICE_DEPTS
        }
        users = {}
        for post, role, dept, limit, names, _note in OFFICE_POSTS:
            u = self._user(f"{spec.prefix}{post}", names[index], password)
            role_grant(user=u, role=role, scope_obj=depts[dept] if dept else office, compensation_limit=limit)
            users[post] = u
        committee = None
        if spec.committee:
            committee = OwnersCommittee.objects.create(community=community, name=spec.committee)
            u = self._user(COMMITTEE_USER[0], COMMITTEE_USER[1], password)
            role_grant(user=u, role=Role.COMMITTEE_MEMBER, scope_obj=committee)
            users["committee"] = u

        bld_names = [f"{b}号楼" for b in range(1, spec.buildings + 1)]
        buildings = Building.objects.bulk_create([Building(community=community, name=b) for b in bld_names])
        units = Unit.objects.bulk_create(
            [Unit(building=b, name=f"{u}单元") for b in buildings for u in (1, 2)]
        )
        # seed part 2 (issue 15, R-ORG-2): the community's public areas.
        PublicArea.objects.bulk_create(
            [PublicArea(community=community, kind=k, name=n) for k, n in DEMO_PUBLIC_AREAS]
        )
        rooms = Room.objects.bulk_create(
            [
                Room(unit=u, number=f"{floor}{door:02d}")
                for u in units
                for floor in range(1, spec.floors + 1)
                for door in (1, 2)
            ]
        )
        labels = {}
        for r in rooms:
            labels[r.pk] = (r.unit.building.name, r.unit.name, r.number)
        chosen = rng.sample(rooms, 48)
        residents = []
        for r in chosen:
            self._phones += 1
            residents.append(
                Resident(
                    room=r,
                    name=self._person(),
                    phone=f"1380000{self._phones:04d}",
                    kind=Resident.Kind.TENANT if rng.random() < 0.15 else Resident.Kind.OWNER,
                )
            )
        Resident.objects.bulk_create(residents)
        refs = []
        for res in residents:
            bld, unit, number = labels[res.room_id]
            refs.append(
                ResidentRef(
                    res.pk,
                    res.name,
                    rng.choice(("先生", "女士")),
                    res.phone,
                    res.room_id,
                    f"{bld}{unit}{number}",
                    bld,
                    unit,
                )
            )
        return OfficeKit(spec, office, spec.company, depts, users, refs, bld_names, committee)
