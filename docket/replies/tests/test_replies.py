"""Reply templates (常用答复, issue 14): kept by QM, read by staff, inserted into a draft filled."""

import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.complaints.models import Category, State
from docket.complaints.tests.helpers import drive_to, user_for
from docket.core.errors import DomainError
from docket.replies import fill, selectors, services
from docket.replies.models import ReplyTemplate

ALL_ROLES = list(Role)
READERS = [r for r in Role if r not in (Role.QM, Role.COMMITTEE_MEMBER)]


@pytest.fixture
def templates(org):
    qm = org.users["qm"]
    return {
        "all": services.template_save(
            actor=qm,
            company_id=org.company.id,
            title="通用致歉",
            body="{称呼}您好：您反映的问题（{回执编号}）已处理。",
        ),
        "elevator": services.template_save(
            actor=qm,
            company_id=org.company.id,
            category_id=org.categories["设施设备"].id,  # the parent: offered for 电梯 too
            title="电梯维修",
            body="{小区}{管理处}已安排电梯维保单位检修。",
        ),
        "legacy": services.template_save(
            actor=qm,
            company_id=org.company.id,
            category_id=org.categories["地产遗留"].id,
            title="地产遗留",
            body="已转地产处理。",
        ),
        "off": services.template_save(
            actor=qm, company_id=org.company.id, title="停用的", body="旧文字", active=False
        ),
    }


@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_page_per_role(client, org, templates, role):
    client.force_login(user_for(org, role))
    r = client.get(reverse("replies:list"))
    if role == Role.COMMITTEE_MEMBER:
        assert r.status_code == 403
        return
    html = r.content.decode()
    assert r.status_code == 200 and "通用致歉" in html and "电梯维修" in html
    assert ("新建常用答复" in html) == (role == Role.QM)
    assert (reverse("replies:edit", args=[templates["all"].pk]) in html) == (role == Role.QM)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_qm_creates_and_edits(client, org, templates, role):
    user = user_for(org, role)
    client.force_login(user)
    before = ReplyTemplate.objects.count()
    t = templates["all"]
    r_new = client.post(reverse("replies:new"), {"company": org.company.id, "title": "新", "body": "新文字"})
    r_edit = client.post(
        reverse("replies:edit", args=[t.pk]),
        {"company": org.company.id, "title": "改过", "body": "改过的文字", "active": "on"},
    )
    t.refresh_from_db()
    if role == Role.QM:
        assert r_new.status_code == 302 and r_edit.status_code == 302
        assert ReplyTemplate.objects.count() == before + 1
        assert t.title == "改过" and t.updated_by == user
    else:
        assert r_new.status_code == 403
        assert r_edit.status_code == (404 if role == Role.COMMITTEE_MEMBER else 403)
        assert ReplyTemplate.objects.count() == before and t.title == "通用致歉"


def test_other_company_qm_sees_and_edits_nothing(client, org, templates):
    client.force_login(org.other_company_qm)
    assert "通用致歉" not in client.get(reverse("replies:list")).content.decode()
    t = templates["all"]
    assert client.get(reverse("replies:edit", args=[t.pk])).status_code == 404
    with pytest.raises(DomainError) as e:
        services.template_save(
            actor=org.other_company_qm, pk=t.pk, company_id=org.company.id, title="x", body="y"
        )
    assert e.value.code == "not_found"
    with pytest.raises(DomainError) as e:
        services.template_save(actor=org.other_company_qm, company_id=org.company.id, title="x", body="y")
    assert e.value.code == "forbidden_action"
    t.refresh_from_db()
    assert t.title == "通用致歉"


def test_category_of_another_company_refused(org):
    other_cat = Category.objects.create(company=org.other_company_qm.roles.first().company, name="别家分类")
    with pytest.raises(DomainError) as e:
        services.template_save(
            actor=org.users["qm"], company_id=org.company.id, category_id=other_cat.id, title="x", body="y"
        )
    assert e.value.code == "validation"
    assert not ReplyTemplate.objects.filter(title="x").exists()


def test_offered_for_the_complaints_categories(org, templates):
    c = drive_to(org, State.INVESTIGATING)
    offered = {t.title for t in selectors.templates_for(c)}
    assert offered == {"通用致歉", "电梯维修"}  # not 地产遗留 (another category), not the inactive one


def test_fill_names_the_complainant_as_the_viewer_may(org):
    c = drive_to(org, State.INVESTIGATING, complainant_name="王建国")
    full = fill.values_for(org.a.users["eng_supervisor"], c)
    masked = fill.values_for(org.users["leadership"], c)
    assert full["称呼"] == "王建国" and masked["称呼"].startswith("王") and "建国" not in masked["称呼"]
    assert full["回执编号"] == c.receipt_no and full["小区"] == "朝阳园"
    assert fill.fill("{称呼}您好，{未知}{", full) == "王建国您好，{未知}{"


def _fill(client, c, tpl, body=""):
    return client.post(
        reverse("replies:fill", args=[c.id]),
        {"reply_template": tpl.pk, "body": body},
        headers={"HX-Request": "true"},
    )


def test_fill_endpoint_appends_filled_text(client, org, templates):
    c = drive_to(org, State.INVESTIGATING)
    client.force_login(org.a.users["eng_supervisor"])
    html = _fill(client, c, templates["all"], body="已经写好的开头").content.decode()
    assert 'id="id_body"' in html and 'name="body"' in html
    assert f"已经写好的开头\n\n王您好：您反映的问题（{c.receipt_no}）已处理。" in html
    assert 'hx-swap-oob="true"' in html  # the picker comes back reset
    # a template not offered for this complaint (another category / inactive) inserts nothing
    html = _fill(client, c, templates["legacy"], body="原文").content.decode()
    assert "已转地产处理" not in html and "原文" in html
    html = _fill(client, c, templates["off"], body="").content.decode()
    assert "旧文字" not in html


@pytest.mark.parametrize("role", ALL_ROLES)
def test_fill_endpoint_per_role(client, org, templates, role):
    """Only who may draft this complaint's reply now (the handlers in scope) gets the text."""
    c = drive_to(org, State.INVESTIGATING)
    client.force_login(user_for(org, role))
    r = _fill(client, c, templates["all"])
    from docket.complaints import access

    may = access.allowed_role(user_for(org, role), c, "reply_draft_save") is not None
    if may:
        assert r.status_code == 200 and c.receipt_no in r.content.decode()
    else:
        assert r.status_code in (403, 404) and c.receipt_no not in r.content.decode()
    # not QM: drafting is the handling department's step (seed 5.2.3.2), QM's only where it handles itself
    assert may == (role in (Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER, Role.OFFICE_MANAGER))


def test_fill_requires_post_and_sign_in(client, org, templates):
    c = drive_to(org, State.INVESTIGATING)
    assert client.post(reverse("replies:fill", args=[c.id])).status_code == 302
    client.force_login(org.a.users["eng_supervisor"])
    assert client.get(reverse("replies:fill", args=[c.id])).status_code == 405


def test_picker_in_the_draft_form(client, org, templates):
    c = drive_to(org, State.INVESTIGATING)
    client.force_login(org.a.users["eng_supervisor"])
    html = client.get(reverse("complaints:action", args=[c.id, "reply_draft_save"])).content.decode()
    assert "插入常用答复" in html and "电梯维修" in html and "地产遗留" not in html
    assert reverse("replies:fill", args=[c.id]) in html
    # other actions carry no picker
    html = client.get(reverse("complaints:action", args=[c.id, "note_add"])).content.decode()
    assert "插入常用答复" not in html
