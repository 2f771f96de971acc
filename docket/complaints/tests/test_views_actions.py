"""Every action through its form: success, refusal in Chinese with input kept, htmx partials, stale
versions (R-EXP-6 and the workbench)."""

from django.urls import reverse

from docket.complaints import workflow
from docket.complaints.forms import ACTION_FORMS
from docket.complaints.models import Complaint, State


def _url(c, action):
    return reverse("complaints:action", args=[c.id, action])


def test_every_action_has_a_form():
    assert set(ACTION_FORMS) == set(workflow.STAFF_ACTIONS)


def test_assign_through_the_form(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["reception"])
    r = client.get(_url(c, "assign"))
    assert r.status_code == 200 and "责任部门" in r.content.decode()
    r = client.post(_url(c, "assign"), {"version": c.version, "department_id": org.a.depts["engineering"].id})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.state == State.ASSIGNED and c.holder_department == org.a.depts["engineering"]


def test_refusal_is_shown_in_chinese_and_input_kept(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["reception"])
    r = client.post(_url(c, "close_on_spot"), {"version": c.version + 5, "note": "已当场更换灯泡，业主满意"})
    html = r.content.decode()
    assert r.status_code == 422
    assert "刚被他人修改过" in html and "已当场更换灯泡，业主满意" in html
    c.refresh_from_db()
    assert c.state == State.REGISTERED and c.events.count() == 1


def test_missing_required_field(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["reception"])
    r = client.post(_url(c, "withdraw"), {"version": c.version, "reason": ""})
    assert r.status_code == 422 and "这个字段是必填项" in r.content.decode()
    assert Complaint.objects.get(pk=c.pk).state == State.REGISTERED


def test_htmx_gets_partial_and_redirect_header(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["reception"])
    r = client.get(_url(c, "note_add"), headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.content.decode() and "内部备注" in r.content.decode()
    r = client.post(
        _url(c, "note_add"), {"version": c.version, "text": "已联系业主"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 204 and r["HX-Redirect"] == reverse("complaints:detail", args=[c.id])


def test_forbidden_action_changes_nothing(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["eng_staff"])  # cannot see an unassigned complaint at all
    assert client.get(_url(c, "assign")).status_code == 404
    client.force_login(org.users["general_office"])  # sees it, may not assign
    r = client.post(_url(c, "assign"), {"version": c.version, "department_id": org.a.depts["engineering"].id})
    assert r.status_code == 422 and "您无权执行此操作" in r.content.decode()
    assert Complaint.objects.get(pk=c.pk).state == State.REGISTERED


def test_unknown_action_is_404(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["reception"])
    assert client.get(_url(c, "delete_everything")).status_code == 404
