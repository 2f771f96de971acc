"""The demo loader (`manage.py seed_demo`): every state reached through the real services, a login for
every role, intact chains, and a second run that changes nothing."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from docket.accounts.models import Role, RoleAssignment, User
from docket.complaints.events import chain_verify
from docket.complaints.models import (
    Channel,
    ClosureKind,
    Complaint,
    ComplaintEvent,
    Kind,
    Method,
    Severity,
    State,
)
from docket.demo import organisation, runner
from docket.org.models import Group, Office

SMALL = 40
# The demo loader starts from an empty database (it refuses one that holds another organisation): no
# committed test organisation (conftest, `shared_org`) under these tests.
pytestmark = pytest.mark.empty_db


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    """The demo, seeded once for this module's tests (about ten seconds each time) in a transaction rolled
    back at the module's end, as complaints/tests/helpers.py's world; each test runs in a savepoint inside
    it (`db`), so nothing one test writes reaches the next. The module's `empty_db` marker has removed the
    committed test organisation before the first test's fixtures are set up."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield runner.seed_demo(complaints=SMALL)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def seeded(seeded_once, db):
    assert seeded_once.created
    assert seeded_once.complaints == SMALL
    return seeded_once


def test_loader_builds_a_complete_demo(seeded):
    # every state, reached through the services (R-HDL), including closure on the spot (R-INT-10)
    assert set(Complaint.objects.values_list("state", flat=True)) == set(State.values)
    assert Complaint.objects.filter(state=State.CLOSED, closure_kind=ClosureKind.ON_THE_SPOT).exists()
    assert Complaint.objects.filter(state=State.CLOSED, closure_kind=ClosureKind.RESOLVED).exists()
    # every channel, method and kind; hot, major and collective complaints
    assert set(Complaint.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Complaint.objects.values_list("method", flat=True)) == set(Method.values)
    assert set(Complaint.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert Complaint.objects.filter(severity=Severity.MAJOR).exists()
    assert Complaint.objects.filter(severity=Severity.HOT).exists()
    assert Complaint.objects.filter(people_count__gt=1, cosigners__isnull=False).exists()
    # every record is intact and lies in the past, spread over months
    for complaint in Complaint.objects.all():
        assert chain_verify(complaint) is None, complaint.receipt_no
    assert not ComplaintEvent.objects.filter(at__gt=timezone.now()).exists()
    oldest = Complaint.objects.order_by("received_at").first().received_at
    assert timezone.now() - oldest > timedelta(days=30)


def test_every_role_has_a_documented_login(seeded):
    documented = {u for u, _role, _scope in organisation.DEMO_LOGINS}
    assert User.objects.get(username="admin").is_superuser
    for role in Role.values:
        holders = set(RoleAssignment.objects.filter(role=role).values_list("user__username", flat=True))
        assert holders & documented, f"no documented login for {role}"
    for username in documented | {u for u, _r, _s in organisation.DEMO_MORE_LOGINS}:
        assert User.objects.get(username=username).check_password(organisation.DEMO_PASSWORD), username
    # the organisation the brief asks for
    assert Office.objects.count() >= 3
    cyy = Office.objects.get(code="CYY")
    assert cyy.community.committee.name == "朝阳园业主委员会"
    assert cyy.community.buildings.count() >= 3
    assert {d.name for d in cyy.departments.all()} >= {"客服部", "工程部", "秩序部", "保洁部", "绿化部"}
    assert Group.objects.get(code=organisation.DEMO_GROUP_CODE).companies.count() == 2


def test_demo_shows_every_obligation_state(seeded):
    from docket.complaints.models import Obligation

    states = set(Obligation.objects.values_list("state", flat=True))
    assert {"open", "met", "missed", "paused", "cancelled"} <= states


def test_the_demo_history_is_not_sent_now(seeded):
    """Months-old demo events queued messages at the time; they were never sent and must not go out now.
    Only the messages of the last hours stay queued for the worker."""
    from docket.notifications.models import Notification

    assert ComplaintEvent.objects.filter(at__lt=timezone.now() - timedelta(days=2)).exists()
    assert not Notification.objects.filter(created_at__lt=timezone.now() - timedelta(hours=13)).exists()


def test_the_information_officer_has_a_day_of_online_complaints(seeded):
    """qm_info (QM and the QM information officer, infoofficer): their work holds the company's online
    complaints still before a published reply, each row naming a step of theirs or whom it waits for."""
    from docket.complaints import selectors
    from docket.complaints.next_steps import StepDecider, prefetch_for_steps

    user = User.objects.get(username="qm_info")
    rows = list(selectors.work_queue_for(user).only(*selectors.QUEUE_ROW_FIELDS))
    online = [
        c
        for c in rows
        if (c.method == Method.ONLINE or c.channel == Channel.ONLINE)
        and c.state in selectors.ONLINE_WATCH_STATES
        and c.level != "company"
    ]
    assert online, "no online complaint waits for the information officer"
    prefetch_for_steps(rows)
    decide = StepDecider(user)
    assert all(decide(c) is not None for c in online)


def test_every_hand_over_target_has_someone_who_accepts_and_every_holder_is_one(seeded):
    """people8: in the demo organisation a complaint may be handed to every office department (each has its
    supervisor) and to 品质管理部 (QM takes it), not to 办公室 or 公司管理层 at office level (nobody holds a
    role there: the representative and leadership coordinate, the general office reviews); once escalated, to
    every company department (QM handles it there). Everyone named can be found, and every department the
    demo's history left holding an open complaint is one where someone could accept it."""
    from docket.complaints import access
    from docket.complaints.models import TERMINAL_STATES, Level
    from docket.org.models import Department

    for office in Office.objects.all():
        depts = list(
            Department.objects.filter(company_id=office.company_id)
            .filter(Q(office_id=office.id) | Q(office__isnull=True))
            .order_by("office_id", "id")
        )
        company = [d for d in depts if d.office_id is None]
        at_office = access.receiving_departments(depts, Level.OFFICE)
        assert {d.name for d in at_office} == {"客服部", "工程部", "秩序部", "保洁部", "绿化部", "品质管理部"}
        assert access.receiving_departments(depts, Level.COMPANY) == company
        for d in at_office:
            named = access.responsible_assignments(d, Level.OFFICE)
            assert not named.filter(role__in=[Role.MGMT_REP, Role.LEADERSHIP]).exists()
            assert named.filter(role__in=access.ACCEPTING).exists(), d
    held = Complaint.objects.exclude(state__in=TERMINAL_STATES).exclude(holder_department=None)
    for c in held.select_related("holder_department"):
        assert access.receiving_departments([c.holder_department], c.level), (
            c.receipt_no,
            c.holder_department,
        )
