"""bench.generate writes Reply and ReplyReview rows without the services (COPY), derived from the reply events of
each complaint's path, and checks them after every load by replaying those events (`replay_replies`) as
services/review.py writes rows. Here the replay and the check are held against complaints driven through the
real services: whatever the services write, the replay of their events must give back the same rows."""

import pytest

from bench.generate import check_replies
from docket.complaints import services as s
from docket.complaints.models import Method, Reply, ReplyReview, State
from docket.complaints.tests.helpers import drive_to


@pytest.fixture
def driven(org):
    """Complaints whose replies went every way the services allow, with their expected (reply, review) counts."""
    u = org.a.users
    cases = {
        "no reply yet": (drive_to(org, State.INVESTIGATING), 0, 0),
        "oral, sent without review": (drive_to(org, State.REPLIED), 1, 0),
        "email, in review at QM": (drive_to(org, State.IN_REVIEW, method=Method.EMAIL), 1, 0),
        "letter, in review at the general office": (
            drive_to(org, State.IN_REVIEW, method=Method.LETTER, review_stage="general_office"),
            1,
            1,
        ),
        "letter, approved": (drive_to(org, State.REPLY_APPROVED, method=Method.LETTER), 1, 2),
        "letter, closed": (drive_to(org, State.CLOSED, method=Method.LETTER), 1, 2),
    }
    returned = drive_to(org, State.IN_REVIEW, method=Method.EMAIL)
    s.reply_review_return(actor=org.users["qm"], complaint_id=returned.id, comment="未说明维修完成时间")
    cases["email, returned"] = (returned, 1, 1)
    redone = drive_to(org, State.IN_REVIEW, method=Method.LETTER)
    s.reply_review_return(actor=org.users["qm"], complaint_id=redone.id, comment="未说明维修完成时间")
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=redone.id, body="您好，电梯已于本周五前修复。")
    s.reply_submit(actor=u["eng_supervisor"], complaint_id=redone.id)
    for stage in ("qm", "general_office"):
        s.reply_review_approve(actor=org.users[stage], complaint_id=redone.id, comment="同意")
    s.reply_send(actor=u["reception"], complaint_id=redone.id)
    cases["letter, returned, redrafted, approved in round 2 and sent"] = (redone, 1, 3)
    second = drive_to(org, State.NEGOTIATING)
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=second.id, body="您好，补充答复如下。")
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=second.id, body="您好，补充答复如下：……")
    cases["oral, a second reply drafted twice after the first was sent"] = (second, 2, 0)
    return cases


def test_the_replay_of_the_services_events_gives_back_their_rows(driven):
    ids = sorted(c.id for c, _r, _v in driven.values())
    n_replies, wrong = check_replies(ids)
    assert wrong == []
    assert n_replies == sum(r for _c, r, _v in driven.values())
    for name, (c, replies, reviews) in driven.items():
        assert Reply.objects.filter(complaint=c).count() == replies, name
        assert ReplyReview.objects.filter(reply__complaint=c).count() == reviews, name
    states = set(Reply.objects.filter(complaint_id__in=ids).values_list("state", flat=True))
    assert states == {"draft", "in_review", "returned", "approved", "sent"}
    rounds = ReplyReview.objects.filter(reply__complaint_id__in=ids).values_list("round", flat=True)
    assert set(rounds) == {1, 2}


@pytest.mark.parametrize(
    "change",
    [
        {"state": "approved"},
        {"review_round": 2},
        {"body": "另一份答复"},
        {"sent_by_id": None},
    ],
)
def test_a_row_the_services_would_not_have_written_is_reported(driven, change):
    c = driven["letter, closed"][0]
    Reply.objects.filter(complaint=c).update(**change)
    _n, wrong = check_replies([c.id])
    assert len(wrong) == 1 and f"complaint {c.id}" in wrong[0]


def test_a_missing_or_changed_review_is_reported(driven):
    c = driven["letter, approved"][0]
    ReplyReview.objects.filter(reply__complaint=c, stage="general_office").delete()
    c2 = driven["letter, returned, redrafted, approved in round 2 and sent"][0]
    ReplyReview.objects.filter(reply__complaint=c2, approved=False).update(approved=True)
    _n, wrong = check_replies([c.id, c2.id])
    assert len(wrong) == 2
