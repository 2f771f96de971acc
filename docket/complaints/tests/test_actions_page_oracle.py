"""The complaint page's offered actions equal the API's (prefetch2).

On the complaint page `access._ready` answers its preconditions from what the page already read
(`selectors.complaint_detail_for` and `timeline_rows`: replies, obligations, claims, issues and their answers,
forwards, the timeline) instead of asking the database; the API asks the database. Both must offer the same
actions to every role, in every state the world reaches and on the per-issue answers' steps."""

from __future__ import annotations

from docket.complaints import access
from docket.complaints import services as s
from docket.complaints.models import Complaint, Method, State
from docket.complaints.selectors import complaint_detail_for, timeline_rows

from . import helpers as h

world, world_data = h.world, h.world_data


def _users(world) -> list:
    org = world.org
    return [world.omni, *org.a.users.values(), *org.users.values()]


def _assert_same(users, complaint_id: int) -> None:
    for user in users:
        by_api = [a.name for a in access.available_actions(user, Complaint.objects.get(pk=complaint_id))]
        page = complaint_detail_for(Complaint.objects.get(pk=complaint_id))
        timeline_rows(page)
        by_page = [a.name for a in access.available_actions(user, page)]
        assert by_page == by_api, (user.username, complaint_id)


def test_every_state_of_the_world_offers_the_same_on_the_page_and_in_the_api(world):
    users = _users(world)
    for complaint_id in world.ids.values():
        _assert_same(users, complaint_id)


def test_drafts_answers_and_forwards_offer_the_same_on_the_page_and_in_the_api(world):
    org = world.org
    users = _users(world)
    sup = org.a.users["eng_supervisor"]
    # a saved draft (reply_submit on a reviewed method, reply_send on a phone complaint)
    for method in (Method.EMAIL, Method.PHONE):
        c = h.drive_to(org, State.INVESTIGATING, method=method)
        s.reply_draft_save(actor=sup, complaint_id=c.id, body="已安排维修。")
        _assert_same(users, c.id)
    # an issue's own answer in review, then approved (seed3), and an issue forwarded to the developer
    c, issues = h.investigated_two_issues(org)
    _assert_same(users, c.id)
    answer = s.issue_answer_submit(
        actor=sup, complaint_id=c.id, issue_ids=[issues[0].id], body="问题一：已修复。"
    )
    _assert_same(users, c.id)
    s.issue_answer_review(actor=org.users["qm"], complaint_id=c.id, answer_id=answer.id, approve=True)
    _assert_same(users, c.id)
    x = h.ctx_for(org, c)
    x.extra["issue_id"] = issues[1].id
    h.invoke("issue_forward_to_developer", org.users["qm"], h.prepare("issue_forward_to_developer", x))
    _assert_same(users, c.id)


def test_every_optional_relation_has_a_reader():
    """`complaint_detail_for` reads each optional relation with rows either by its compiled statement or
    through Django's prefetch: a relation added to OPTIONAL_RELATIONS without either would fail on the page."""
    from docket.complaints import selectors

    readers = set(selectors._detail_statements()) | set(selectors._DETAIL_PREFETCH)
    assert readers == set(selectors.OPTIONAL_RELATIONS)
