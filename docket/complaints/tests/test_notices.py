"""From complaint events to notices (complaints/notices.py): who hears what, the complainant's SMS on
public steps only, and the integrations' webhooks end to end against a local HTTP receiver."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine

from docket.accounts.models import Role
from docket.api.tests.conftest import Api, make_key  # noqa: F401 - fixture
from docket.complaints import services as s
from docket.complaints.kinds import KINDS, PUBLIC_KINDS
from docket.complaints.models import ComplaintEvent, DeveloperForward, Method, Severity
from docket.complaints.notices import event_notify
from docket.complaints.owner_links import link_complaint_id
from docket.complaints.tests.helpers import drive_to
from docket.notifications.channels.webhook import signature_verify
from docket.notifications.models import NoticePreference, Notification, WebhookEndpoint
from docket.notifications.service import caches_clear, deliver_due
from docket.notifications.tests.conftest import receiver  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches(settings, tmp_path):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")  # never the real var/sms.log
    caches_clear()
    yield
    caches_clear()


def _staff(kind: str) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind)
        .exclude(recipient=None)
        .values_list("recipient__username", flat=True)
    )


def _owner_sms(c) -> list[Notification]:
    return list(
        Notification.objects.filter(ref=f"complaint:{c.id}", channel="sms", recipient=None).order_by("id")
    )


def test_registration_sends_the_receipt_by_sms_and_assignment_tells_the_department(org, complaint_factory):
    c = complaint_factory()
    [sms] = _owner_sms(c)
    assert sms.address == "13800000001" and sms.kind == "owner:registered"
    assert c.receipt_no in sms.body and c.check_code in sms.body
    # portal answers (issue 11): the signed link to the tracking page, never with the check code
    link = sms.data["params"].pop("link")
    assert sms.data["params"] == {"no": c.receipt_no, "code": c.check_code}
    assert link in sms.body and c.check_code not in link and link.startswith("/p/t/")
    assert link_complaint_id(link.split("/")[-2]) == c.id
    assert sms.data["template"] == "SMS_DOCKET_REGISTERED"

    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    assert _staff("assigned") == {"cyy_eng_sup", "cyy_eng_mgr"}  # supervisors and managers; not the staff
    assert len(_owner_sms(c)) == 1  # the assignment is internal: nothing to the owner
    n = Notification.objects.filter(kind="assigned").first()
    assert n.subject.startswith("【新派单】") and c.receipt_no in n.subject


def test_the_owner_hears_public_steps_only_never_internal_ones(org):
    c = drive_to(org, "closed", method=Method.EMAIL)
    s.note_add(actor=org.a.users["office_manager"], complaint_id=c.id, text="内部：该业主多次投诉")
    events = list(ComplaintEvent.objects.filter(complaint=c).order_by("seq"))
    sms = _owner_sms(c)
    by_event = {int(n.dedupe_key.split(":")[1]) for n in sms}
    public_ids = {e.id for e in events if e.public and KINDS[e.kind].owner_text}
    assert by_event == public_ids
    internal = {e.id for e in events if not e.public}
    assert internal and not (by_event & internal)
    kinds = [n.kind for n in sms]
    assert kinds == [
        "owner:registered",
        "owner:accepted",
        "owner:reply_sent",
        "owner:measures_done",
        "owner:follow_up_recorded",
    ]
    assert all(k.removeprefix("owner:") in PUBLIC_KINDS for k in kinds)


def test_an_event_made_internal_by_the_service_never_reaches_the_owner(org, complaint_factory):
    c = complaint_factory()
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    ev = ComplaintEvent.objects.filter(complaint=c, kind="assigned").get()
    ev.public = False
    before = Notification.objects.count()
    ev.kind = "reply_sent"  # a kind that would be public, flagged internal: still nothing to the owner
    event_notify(ev)
    assert (
        not Notification.objects.filter(channel="sms", recipient=None)
        .exclude(kind="owner:registered")
        .exists()
    )
    assert Notification.objects.count() == before


def test_anonymous_or_no_phone_gets_nothing(org, complaint_factory):
    c = complaint_factory(anonymous=True, complainant_name="", complainant_phone="")
    assert _owner_sms(c) == []
    c = complaint_factory()
    s.note_add(actor=org.a.users["reception"], complaint_id=c.id, text="备注")
    ev = ComplaintEvent.objects.select_related("complaint").get(complaint=c, kind="note_added")
    ev.kind, ev.public = "measures_done", True  # as if a public step
    ev.complaint.complainant_phone = " "
    event_notify(ev)
    assert len(_owner_sms(c)) == 1  # only the receipt
    ev.complaint.complainant_phone = "13800000001"
    event_notify(ev)
    assert len(_owner_sms(c)) == 2


def test_review_requested_reaches_each_stage_and_returned_reaches_the_drafter(org):
    c = drive_to(org, "in_review", method=Method.LETTER)  # QM then the general office
    assert _staff("review_requested") == {"qm"}
    s.reply_review_approve(actor=org.users["qm"], complaint_id=c.id)
    assert _staff("review_requested") == {"qm", "go"}
    s.reply_review_return(actor=org.users["general_office"], complaint_id=c.id, comment="措辞需修改")
    assert _staff("returned") == {"cyy_eng_sup"}
    n = Notification.objects.get(kind="returned")
    assert "措辞需修改" in n.body


def test_last_approval_requests_no_further_review(org):
    c = drive_to(org, "in_review", method=Method.EMAIL)
    s.reply_review_approve(actor=org.users["qm"], complaint_id=c.id)
    assert Notification.objects.filter(kind="review_requested").count() == 1


def test_severity_raised_reaches_office_manager_qm_leadership_and_group(org, complaint_factory):
    c = complaint_factory()
    s.severity_raise(
        actor=org.users["qm"], complaint_id=c.id, severity=Severity.HOT, reason="可能引发媒体曝光"
    )
    assert _staff("severity_raised") == {"cyy_manager", "lead", "grp"}  # not the QM who raised it


def test_owner_replied_reaches_the_holder(org):
    c = drive_to(org, "replied")
    s.complainant_disagree(actor=org.a.users["reception"], complaint_id=c.id, reason="维修时间太长")
    assert _staff("owner_replied") == {"cyy_eng_sup", "cyy_eng_mgr"}


def test_preferences_silence_a_role_or_the_owner(org, complaint_factory):
    NoticePreference.objects.create(role=Role.DEPT_MANAGER, notice="assigned", channels=[])
    NoticePreference.objects.create(
        company_id=org.company.id, role="complainant", notice="owner_update", channels=[]
    )
    c = complaint_factory()
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    assert _staff("assigned") == {"cyy_eng_sup"}
    assert _owner_sms(c) == []


def test_events_with_no_notice_cost_no_query(org, complaint_factory, django_assert_num_queries):
    c = complaint_factory()
    s.note_add(actor=org.a.users["reception"], complaint_id=c.id, text="内部备注")
    ev = ComplaintEvent.objects.get(complaint=c, kind="note_added")
    with django_assert_num_queries(0):
        event_notify(ev)


# --- integrations ------------------------------------------------------------------------------------


def _verified(rec, secret):
    out = []
    for r in rec.requests:
        h = r.headers
        assert signature_verify(secret, h["x-docket-timestamp"], r.body, h["x-docket-signature"])
        out.append(json.loads(r.body))
    return out


def test_government_case_created_through_the_api_gets_its_answer_by_webhook(org, make_key, receiver):  # noqa: F811
    from docket.org.models import ExternalParty

    gov = ExternalParty.objects.create(group=org.group, kind="hotline", name="12345热线")
    key, token = make_key(Role.QM, company=org.company, name="12345平台")
    WebhookEndpoint.objects.create(
        name="12345平台回调", url=receiver.url + "/12345", secret="gov-secret", service_user=key.user
    )
    api = Api(token)
    r = api.post(
        "/complaints",
        {
            "office_id": org.a.office.id,
            "channel": "government",
            "method": "government_forward",
            "forwarded_by_id": gov.id,
            "forwarder_ref": "12345-20261127-0088",
            "forwarder_due_at": "2026-12-31T17:00:00+08:00",
            "subject": "小区噪音扰民",
            "description": "夜间施工噪音",
            "complainant_name": "赵",
            "complainant_phone": "13700000009",
            "issues": [{"summary": "夜间施工", "category_id": org.categories["设施设备"].id}],
        },
    )
    assert r.status_code == 201, r.json()
    out = r.json()
    s.note_add(actor=org.a.users["reception"], complaint_id=out["id"], text="内部：施工方为地产")  # internal
    r = api.post(
        f"/complaints/{out['id']}/actions/forwarder_reply_record",
        {"version": out["version"] + 1, "text": "已责令施工方夜间停工，并向业主致歉。"},
    )
    assert r.status_code == 200, r.json()
    deliver_due()
    bodies = _verified(receiver, "gov-secret")
    assert [b["type"] for b in bodies] == ["complaint.registered", "complaint.forwarder_replied"]
    answer = bodies[1]["data"]
    assert answer["complaint"]["receipt_no"] == out["receipt_no"]
    assert answer["complaint"]["forwarder_ref"] == "12345-20261127-0088"
    assert answer["text"] == "已责令施工方夜间停工，并向业主致歉。"
    assert all(b["data"]["event"]["kind"] != "note_added" for b in bodies)
    # The delivery is recorded against the complaint.
    n = Notification.objects.get(channel="webhook", kind="complaint.forwarder_replied")
    assert n.state == "sent" and n.ref == f"complaint:{out['id']}" and n.attempt_log.get().status_code == 200


def test_developer_forward_goes_to_the_developer_and_its_answer_comes_back(org, make_key, receiver):  # noqa: F811
    WebhookEndpoint.objects.create(
        name="地产客服中心",
        url=receiver.url + "/dev",
        secret="dev-secret",
        external_party_id=org.developer.id,
    )
    WebhookEndpoint.objects.create(
        name="别家地产", url=receiver.url + "/other", secret="x", external_party_id=999999
    )
    c = drive_to(org, "with_developer")
    deliver_due()
    [body] = _verified(receiver, "dev-secret")
    assert receiver.requests[0].path == "/dev"
    assert body["type"] == "complaint.forwarded_to_developer"
    fwd = DeveloperForward.objects.get(complaint=c)
    data = body["data"]
    assert data["complaint"]["receipt_no"] == c.receipt_no and data["text"] == "属地产保修范围"
    assert data["forward"]["id"] == fwd.id and data["forward"]["description"] == c.description
    assert data["forward"]["answer_url"] == f"/api/v1/complaints/{c.id}/actions/developer_answer_record"

    # The developer answers through the API with its own key; the answer is tracked on the forward.
    _key, token = make_key(Role.RECEPTION, office=org.a.office, name="地产客服中心")
    c.refresh_from_db()
    r = Api(token).post(
        data["forward"]["answer_url"].removeprefix("/api/v1"),
        {"version": c.version, "answer": "已安排保修单位三日内维修", "their_ref": "DC-7781"},
    )
    assert r.status_code == 200, r.json()
    fwd.refresh_from_db()
    assert fwd.answer == "已安排保修单位三日内维修" and fwd.their_ref == "DC-7781" and fwd.answered_at
    deliver_due()
    assert len(receiver.requests) == 1  # the developer is not sent its own answer back


def test_the_sweep_goes_through_the_preferences_and_the_office_robot(org, complaint_factory, receiver):  # noqa: F811
    from datetime import datetime

    import time_machine

    from docket.complaints.models import Obligation
    from docket.complaints.services.overdue import overdue_sweep
    from docket.notifications.models import WeComRobot
    from docket.sla import duetimes
    from docket.sla.calendar import SHANGHAI

    duetimes.invalidate()
    robot = WeComRobot.objects.create(
        name="朝阳园管理处群",
        company_id=org.company.id,
        office_id=org.a.office.id,
        webhook_url=receiver.url + "/robot",
    )
    NoticePreference.objects.create(role="*", notice="deadline_warning", channels=[])  # warnings silenced
    with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI), tick=False):
        c = complaint_factory()
        s.complaint_assign(
            actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
        )
    # Only the reply deadline goes through the ladder here (the first-contact duty of issue 15 is set aside).
    Obligation.objects.filter(complaint=c, kind="first_contact").update(state="cancelled", next_check_at=None)
    overdue_sweep(now=datetime(2026, 11, 24, 15, 50, tzinfo=SHANGHAI))  # warning
    assert not Notification.objects.filter(kind="deadline_warning").exists()
    overdue_sweep(now=datetime(2026, 11, 24, 17, 31, tzinfo=SHANGHAI))  # breach
    missed = Notification.objects.filter(kind="deadline_missed")
    assert set(missed.values_list("channel", "target_id")) == {("console", None), ("wecom", robot.id)}
    receiver.default = (200, '{"errcode":0,"errmsg":"ok"}', 0)
    deliver_due()
    [req] = receiver.requests
    assert req.path == "/robot" and c.receipt_no in req.json()["markdown"]["content"]


def test_service_accounts_act_but_are_never_told(org, make_key, complaint_factory):  # noqa: F811
    """An integration's key holding reception is a service account: it files and acts, but notices meant
    for reception never queue rows for it."""
    key, _token = make_key(Role.RECEPTION)
    assert key.user.is_service
    c = complaint_factory()
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    s.complaint_refuse(actor=org.a.users["eng_supervisor"], complaint_id=c.id, reason="不属于工程部")
    told = _staff("returned")
    assert org.a.users["reception"].username in told  # reception is told of the refusal …
    assert key.user.username not in told  # … but not the integration that also holds reception
    assert not Notification.objects.filter(recipient=key.user).exists()


def test_an_email_complainant_hears_by_email_with_the_receipt_number_in_the_subject(org, complaint_factory):
    """No phone, an email address (an email complaint): the public steps go out by email, the subject
    starting with the receipt number so that a reply threads back to the complaint (mailin)."""
    c = complaint_factory(
        method=Method.EMAIL,
        complainant_phone="",
        complainant_email="zhao@example.cn",
        complainant_name="赵女士",
    )
    mails = list(Notification.objects.filter(ref=f"complaint:{c.id}", channel="email", recipient=None))
    assert [(m.address, m.kind) for m in mails] == [("zhao@example.cn", "owner:registered")]
    assert mails[0].subject.startswith(f"[{c.receipt_no}]") and c.check_code in mails[0].body
    assert "赵女士" in mails[0].body
    assert _owner_sms(c) == []
    s.note_add(actor=org.a.users["reception"], complaint_id=c.id, text="内部备注")
    assert (
        Notification.objects.filter(ref=f"complaint:{c.id}", recipient=None).count() == 1
    )  # internal: nothing
    both = complaint_factory(complainant_email="qian@example.cn")  # a phone and an address: both hear
    assert set(
        Notification.objects.filter(ref=f"complaint:{both.id}", recipient=None).values_list(
            "channel", "address"
        )
    ) == {("sms", "13800000001"), ("email", "qian@example.cn")}


def test_a_chase_is_recorded_public_counted_and_reaches_the_holder_and_superiors(org, complaint_factory):
    """R-EXP-4: the complainant chases through the receipt (no account) or by phone (recorded by staff);
    each chase is on the public timeline with its count, reaches the holder and the superiors, and a
    second chase within the interval is refused without a trace."""
    from docket.core.errors import DomainError

    c = complaint_factory()
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    assert s.complainant_chase(complaint_id=c.id, text="报修一周了还没人来") == 1
    ev = ComplaintEvent.objects.get(complaint=c, kind="complainant_chased")
    assert ev.public and ev.actor_id is None and ev.actor_name == "顾客" and ev.payload["count"] == 1
    told = _staff("owner_chased")
    assert {"cyy_eng_sup", "cyy_eng_mgr", "cyy_manager"} <= told
    assert not any(n.kind == "owner:complainant_chased" for n in _owner_sms(c))  # not echoed to the owner
    before = c.events.count()
    with pytest.raises(DomainError) as e:
        s.complainant_chase(complaint_id=c.id, text="再催一次")
    assert e.value.code == "chase_too_soon" and c.events.count() == before
    with time_machine.travel(ev.at + timedelta(minutes=61), tick=False):
        s.chase_record(
            actor=org.a.users["reception"], complaint_id=c.id, text="业主来电再次催问", via="phone"
        )
    assert list(c.events.filter(kind="complainant_chased").values_list("payload__count", flat=True)) == [1, 2]
    s.complaint_withdraw(actor=org.a.users["reception"], complaint_id=c.id, reason="业主撤回")
    with pytest.raises(DomainError) as e:
        s.complainant_chase(complaint_id=c.id, text="?")
    assert e.value.code == "complaint_ended"
