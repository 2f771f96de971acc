"""The person named 责任人 at 派单 or 转派 takes 接单 themselves (seed 5.2.2.4: the complaint goes to 责任部门负责人
(或指定岗位), who handles it; workflow `named_holder`, docs/decisions.md "namedaccept"). Before, a department's
staff member named responsible held the complaint but could not accept it, so the first overdue warning went
to someone who could not act. Only the person named, only as the holder department's member, only 接单."""

import pytest

from docket.accounts.models import Role
from docket.complaints import services as s
from docket.complaints.models import Complaint, State
from docket.complaints.next_steps import next_action_for
from docket.complaints.selectors import work_queue_for

from . import helpers as h

pytestmark = pytest.mark.django_db


def _assigned(org, complaint_factory, responsible=None):
    c = complaint_factory()
    s.complaint_assign(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        department_id=org.a.depts["engineering"].id,
        responsible_id=responsible.id if responsible else None,
    )
    return Complaint.objects.get(pk=c.id)


def _queue_ids(user) -> set[int]:
    return set(work_queue_for(user).values_list("id", flat=True))


def test_the_named_staff_member_accepts_from_their_queue_and_page(org, complaint_factory, client):
    staff = org.a.users["eng_staff"]
    c = _assigned(org, complaint_factory, staff)
    assert c.state == State.ASSIGNED and c.holder_id == staff.id
    assert c.id in _queue_ids(staff)
    step = next_action_for(staff, c)
    assert step is not None and step.action == "accept"
    html = h.detail_html(client, staff, c)
    assert 'class="btn primary" href="' in html and 'data-action="accept"' in html
    assert html.index('data-action="accept"') > html.index('class="btn primary"')
    s.complaint_accept(actor=staff, complaint_id=c.id)
    c.refresh_from_db()
    assert (c.state, c.holder_id, c.responsible_id) == (State.INVESTIGATING, staff.id, staff.id)


def test_nobody_else_of_the_staff_and_not_without_being_named(org, complaint_factory):
    staff = org.a.users["eng_staff"]
    other = h.make_user("eng_staff2", [(Role.DEPT_STAFF, org.a.depts["engineering"], None)])
    c = _assigned(org, complaint_factory, staff)
    assert c.id not in _queue_ids(other) and next_action_for(other, c) is None
    h.refused("forbidden_action", c.id, lambda: s.complaint_accept(actor=other, complaint_id=c.id))
    unnamed = _assigned(org, complaint_factory)  # handed to the department, nobody named
    assert unnamed.id not in _queue_ids(staff)
    h.refused(
        "forbidden_action", unnamed.id, lambda: s.complaint_accept(actor=staff, complaint_id=unnamed.id)
    )
    # the supervisor still accepts either
    s.complaint_accept(actor=org.a.users["eng_supervisor"], complaint_id=unnamed.id)


def test_a_transfer_naming_someone_else_takes_it_from_the_first(org, complaint_factory):
    staff = org.a.users["eng_staff"]
    c = _assigned(org, complaint_factory, staff)
    s.complaint_transfer(
        actor=org.a.users["eng_supervisor"],
        complaint_id=c.id,
        department_id=org.a.depts["security"].id,
        responsible_id=org.a.users["sec_supervisor"].id,
        reason="属秩序部",
    )
    assert c.id not in _queue_ids(staff)
    # handed to another department, it is no longer theirs to see
    h.refused("not_found", c.id, lambda: s.complaint_accept(actor=staff, complaint_id=c.id))


def test_the_named_member_takes_only_the_acceptance(org, complaint_factory):
    """Naming does not widen anything else: 转派 and 退回 stay the department heads'."""
    staff = org.a.users["eng_staff"]
    c = _assigned(org, complaint_factory, staff)
    h.refused(
        "forbidden_action",
        c.id,
        lambda: s.complaint_transfer(
            actor=staff, complaint_id=c.id, department_id=org.a.depts["security"].id, reason="不归我们"
        ),
    )
