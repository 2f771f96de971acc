"""Personal data private by default (issue 10, finding 2; R-EXP-12): the permission matrix of every page and
endpoint that shows a complainant's name, phone, email, address or co-signers — for every role and scope of
the fixture. Full values only for the roles that need them (privacy.py); masked for the others, who may
reveal with a logged reason; the owners' committee masked and the public view only; everyone outside the
scope not found. Before the fix a department employee saw full phones on the page and in the API, and the
committee saw full phones, internal notes and review comments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.complaints import services as s
from docket.complaints.models import Channel, Complaint, Method, PersonalDataAccess
from docket.complaints.services import ComplaintInput, CoSignerInput, IssueInput, complaint_register

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL = "王建国", "13812345678", "wangjianguo@example.com"
CO_NAME, CO_PHONE = "李秀英", "13987654321"
NOTE = "内部：该业主多次投诉，注意沟通方式"
MASKED_PHONE = "138****5678"

FULL = {"a_reception", "a_office_manager", "a_eng_supervisor", "a_eng_manager", "qm"}
MASKED = {"a_eng_staff", "general_office", "mgmt_rep", "leadership", "group_property", "qm_info_officer"}
PUBLIC_ONLY = {"a_committee"}


def _everyone(org):
    people = {f"a_{k}": u for k, u in org.a.users.items()}
    people |= {f"b_{k}": u for k, u in org.b.users.items()}
    people |= dict(org.users)
    people["other_company_qm"] = org.other_company_qm
    return people


@pytest.fixture
def record(org):
    """A committee-recorded complaint of office A (the committee sees it), assigned to engineering (its
    supervisor and manager see it, its staff too), raised to hot (the group sees it), with an internal
    note nobody outside the company should read."""
    result = complaint_register(
        actor=org.a.users["committee"],
        data=ComplaintInput(
            office_id=org.a.office.id,
            channel=Channel.COMMITTEE,
            method=Method.LETTER,
            subject="绿化带被占用",
            description="3号楼旁绿化带被改为菜地。",
            complainant_name=NAME,
            complainant_phone=PHONE,
            complainant_email=EMAIL,
            room_id=org.a.room.id,
            people_count=2,
            cosigners=[CoSignerInput(name=CO_NAME, phone=CO_PHONE, room="3-1-201")],
            issues=[IssueInput(summary="绿化带被占用", category_id=org.categories["设施设备"].id)],
        ),
    )
    c = getattr(result, "complaint", result)
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    s.note_add(actor=org.a.users["office_manager"], complaint_id=c.id, text=NOTE)
    s.severity_raise(actor=org.users["qm"], complaint_id=c.id, severity="hot", reason="多户联名")
    return Complaint.objects.get(pk=c.id)


def _pages(c):
    return {
        "detail": reverse("complaints:detail", args=[c.id]),
        "receipt": reverse("complaints:receipt", args=[c.id]),
        "record_form": reverse("complaints:record_form", args=[c.id]),
        "api_detail": f"/api/v1/complaints/{c.id}",
        "api_events": f"/api/v1/complaints/{c.id}/events",
    }


def test_the_matrix(client, org, record):
    people = _everyone(org)
    for key, user in people.items():
        expect = (
            "full"
            if key in FULL
            else "masked"
            if key in MASKED
            else "public"
            if key in PUBLIC_ONLY
            else "none"
        )
        client.force_login(user)
        for page, url in _pages(record).items():
            r = client.get(url)
            body = r.content.decode()
            if expect == "none" or (expect == "public" and page == "record_form"):
                assert r.status_code == 404, (key, page)
                assert PHONE not in body and NAME not in body and MASKED_PHONE not in body, (key, page)
                continue
            assert r.status_code == 200, (key, page, r.status_code)
            if page == "api_events":
                assert (NOTE in body) == (expect != "public"), (key, page)
                continue
            if expect == "full":
                assert NAME in body, (key, page)
                if page in ("detail", "record_form"):
                    assert str(record.room) in body, (key, page)
                if page != "receipt":  # the receipt shows no phone at all
                    assert PHONE in body, (key, page)
                if page in ("detail", "api_detail"):  # the printed form lists co-signers by name only
                    assert CO_PHONE in body, (key, page)
            else:
                assert PHONE not in body and CO_PHONE not in body and NAME not in body, (key, page)
                assert EMAIL not in body, (key, page)
                # nor the room, not even as the place where it happened (the building only)
                assert str(record.room) not in body, (key, page)
                if page != "receipt":
                    assert MASKED_PHONE in body and "王先生/女士" in body, (key, page)
            if expect == "public":
                assert NOTE not in body, (key, page)
        client.logout()


def test_the_committee_reads_the_public_view_only(client, org, record):
    client.force_login(org.a.users["committee"])
    detail = client.get(reverse("complaints:detail", args=[record.id])).content.decode()
    assert NOTE not in detail and "内部备注" not in detail
    assert "查看完整个人信息" not in detail  # the committee never reveals
    assert client.get(reverse("complaints:record_form", args=[record.id])).status_code == 404
    assert client.get(f"/api/v1/complaints/{record.id}/chain").status_code == 404
    events = client.get(f"/api/v1/complaints/{record.id}/events").json()
    assert events and all(e["public"] and e["actor_name"] == "" for e in events)
    api = client.get(f"/api/v1/complaints/{record.id}").json()
    assert api["complainant_phone"] == MASKED_PHONE and api["holder"] is None and api["received_by"] is None


def test_a_masked_viewer_reveals_with_a_reason_and_it_is_logged(client, org, record):
    staff = org.a.users["eng_staff"]
    client.force_login(staff)
    url = reverse("complaints:reveal", args=[record.id])
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 422 and PHONE not in refused.content.decode()
    assert not PersonalDataAccess.objects.exists()
    r = client.post(url, {"reason": "需电话联系业主约定上门维修时间"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and PHONE in r.content.decode() and CO_PHONE in r.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.purpose, log.complaint_id) == (staff, "reveal", record.id)
    assert log.reason == "需电话联系业主约定上门维修时间"
    # the reveal is for that answer only: the page is masked again afterwards
    assert PHONE not in client.get(reverse("complaints:detail", args=[record.id])).content.decode()


@pytest.mark.parametrize(
    ("key", "status"),
    [("a_committee", 422), ("a_reception", 422), ("b_reception", 404)],  # never / already full / not visible
)
def test_who_may_not_reveal(client, org, record, key, status):
    client.force_login(_everyone(org)[key])
    r = client.post(reverse("complaints:reveal", args=[record.id]), {"reason": "想看看"})
    assert r.status_code == status
    if key != "a_reception":
        assert PHONE not in r.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_the_holder_sees_in_full(client, org, record):
    Complaint.objects.filter(pk=record.id).update(holder=org.a.users["eng_staff"])
    client.force_login(org.a.users["eng_staff"])
    assert PHONE in client.get(reverse("complaints:detail", args=[record.id])).content.decode()


def test_a_location_that_repeats_the_room_is_shown_once_and_never_to_a_masked_viewer(client, org, record):
    """The typed location often repeats the room ("1号楼1单元101"): the place is shown once, and a masked
    viewer (and the committee) reads the building, not the room typed again."""
    room = str(record.room)
    people = (("a_reception", org.a.users["reception"]), ("mgmt_rep", org.users["mgmt_rep"]))

    def counts():
        out = {}
        for key, user in people:
            client.force_login(user)
            for page in ("detail", "record_form"):
                out[key, page] = client.get(_pages(record)[page]).content.decode().count(room)
        return out

    before = counts()
    Complaint.objects.filter(pk=record.pk).update(location=room)
    after = counts()
    assert after == before, (before, after)  # the repeated room adds nothing to the page
    assert {k: n for k, n in after.items() if k[0] not in FULL} == {
        ("mgmt_rep", "detail"): 0,
        ("mgmt_rep", "record_form"): 0,
    }
    client.force_login(org.a.users["committee"])
    assert room not in client.get(_pages(record)["detail"]).content.decode()
    client.force_login(org.users["mgmt_rep"])
    assert room not in client.get(_pages(record)["api_detail"]).content.decode()


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("3号楼2单元1201门口", "3号楼*单元*门口"),
        ("5栋 1203室", "5栋 *室"),
        ("A座12层电梯厅", "A座*层电梯厅"),
        ("2幢3-1-201", "2幢*-*-*"),
        ("１２号楼东侧", "１２号楼东侧"),
        ("北门停车场", "北门停车场"),
        ("请打13812345678联系", "请打*联系"),
        ("", ""),
    ],
)
def test_a_typed_location_keeps_only_the_building_numbers_when_masked(typed, masked):
    from docket.complaints.privacy import mask_location

    assert mask_location(typed) == masked


def test_a_typed_location_naming_a_home_reaches_no_masked_viewer(client, org, record):
    """A location typed beyond the room ("3号楼2单元1201门口") names a home: the roles that read the
    complainant in full read it as typed; masked viewers and the committee read the building's number
    only — on the page, the printed form, the receipt and the API."""
    typed = "9号楼7单元1907门口"
    Complaint.objects.filter(pk=record.pk).update(location=typed)
    pages = _pages(record)
    client.force_login(org.a.users["reception"])
    for page in ("detail", "record_form", "receipt", "api_detail"):
        assert typed in client.get(pages[page]).content.decode(), page
    for key in ("mgmt_rep", "leadership", "group_property"):
        client.force_login(org.users[key])
        for page in ("detail", "record_form", "receipt", "api_detail"):
            body = client.get(pages[page]).content.decode()
            assert "1907" not in body and "7单元" not in body, (key, page)
            if page != "api_detail":  # the API's JSON escapes the Chinese
                assert "9号楼*单元*门口" in body, (key, page)
    client.force_login(org.a.users["committee"])
    body = client.get(pages["detail"]).content.decode()
    assert "1907" not in body and "9号楼*单元*门口" in body
    api = client.get(pages["api_detail"]).json()
    assert api["location"] == "9号楼*单元*门口"
