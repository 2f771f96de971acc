"""audiences.people runs its statement compiled once per shape of the condition (docket.core.compiled.q_shape):
it must name exactly the people the ORM's own statement names, for every registered audience and for the
condition shapes the audiences build (OR, IN lists of any length, an empty IN, IS NULL, an excluded person)."""

import pytest
from django.db.models import Q

from docket.accounts.models import Role, RoleAssignment
from docket.complaints import audiences
from docket.complaints.audiences import AUDIENCES, _people_rows, people
from docket.core import clock
from docket.core.compiled import q_build, q_shape

pytestmark = pytest.mark.django_db


def _orm(q, exclude_id=None):
    return _ids(_orm_people(q, exclude_id))


def _ids(found):
    return [(u.pk, r) for u, r in found]


def test_shape_round_trip_keeps_the_condition():
    q = (Q(office_id=3, role=Role.RECEPTION) | Q(pk__in=[])) & ~Q(user_id=None) | Q(role__in=["qm", "x", "y"])
    shape, values = q_shape(q)
    assert values == (3, Role.RECEPTION, "qm", "x", "y")
    rebuilt = q_build(shape, values)
    sql = str(RoleAssignment.objects.filter(q).query)
    assert str(RoleAssignment.objects.filter(rebuilt).query) == sql
    assert q_shape(Q(received_at__date=clock.now().date())) is None  # a date: left to the ORM
    flag = RoleAssignment.objects.filter(q_build(*q_shape(Q(user__is_active=False, office_id=None))))
    assert str(flag.query) == str(RoleAssignment.objects.filter(user__is_active=False, office_id=None).query)
    assert q_shape(Q(pk__in=[1, 2]))[0] != q_shape(Q(pk__in=[1, 2, 3]))[0]  # one shape per IN length


def test_every_audience_names_the_same_people_compiled(org, complaint_factory):
    c = complaint_factory()
    c.holder_department_id = org.a.depts["engineering"].id
    c.holder_id = org.a.users["eng_staff"].id
    c.review_stage = "qm"
    named = 0
    for name, fn in AUDIENCES.items():
        got = _ids(fn(c, None))
        real = audiences.people
        audiences.people = _orm_people  # the same audience through the ORM
        try:
            expected = _ids(fn(c, None))
        finally:
            audiences.people = real
        assert got == expected, name
        named += bool(got)
    assert named >= 8  # most audiences name someone in the test organisation


def _orm_people(q, exclude_id=None):
    rows = _people_rows(q)
    if exclude_id is not None:
        rows = rows.exclude(user_id=exclude_id)
    seen = {}
    for a in rows:
        seen.setdefault(a.user_id, (a.user, a.role))
    return list(seen.values())


def test_conditions_and_exclusion(org):
    a, b = org.a, org.b
    conditions = [
        Q(office_id=a.office.id, role=Role.RECEPTION),
        Q(office_id=a.office.id, role=Role.OFFICE_MANAGER) | Q(company_id=org.company.id, role=Role.QM),
        Q(pk__in=[])
        | Q(department_id=a.depts["engineering"].id, role__in=[Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER]),
        Q(role__in=[Role.RECEPTION]) | Q(office_id=b.office.id),
        Q(user_id=None),
        Q(pk__in=[]),
    ]
    for q in conditions:
        assert _ids(people(q)) == _orm(q), q
        for exclude in (a.users["eng_manager"].id, a.users["reception"].id):
            assert _ids(people(q, exclude)) == _orm(q, exclude), (q, exclude)
    # a deactivated person drops out of the compiled statement too
    user = a.users["reception"]
    q = conditions[0]
    assert _ids(people(q))
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert _ids(people(q)) == [] == _orm(q)
