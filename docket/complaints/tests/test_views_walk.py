"""What the walk of 2026-12-06 found on the staff pages outside a browser: the complaint page in English
without Chinese punctuation after its labels (its Chinese page unchanged)."""

import re

import pytest
from django.urls import reverse

from docket.complaints.models import State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.django_db


def _page(client, org, c, language):
    client.force_login(org.a.users["eng_supervisor"])
    client.cookies["django_language"] = language
    return client.get(reverse("complaints:detail", args=[c.id])).content.decode()


def test_the_complaint_page_in_english_has_english_punctuation(client, org):
    """ "Investigation findings：", "Next step：", "Department：" and "2026-12-06 10:00，reception" read in English
    with a full-width colon and comma."""
    c = drive_to(org, State.IMPLEMENTING)
    html = _page(client, org, c, "en")
    assert "Next step: <b>" in html
    assert re.search(r"Investigation findings: \S", html)
    assert re.search(r'<span class="muted">Department: </span>', html)
    assert re.search(r"\d\d:\d\d, ", html)  # received at, by whom
    # no full-width colon anywhere (the users' own text in this record has none), no time followed by "，"
    text = re.sub(r"<[^>]+>", "", html)
    assert "：" not in text and not re.search(r"\d\d:\d\d，", text)


def test_the_complaint_page_in_chinese_keeps_its_punctuation(client, org):
    c = drive_to(org, State.IMPLEMENTING)
    html = _page(client, org, c, "zh-hans")
    assert "下一步：<b>" in html and "调查情况：" in html and '<span class="muted">部门：</span>' in html


@pytest.mark.parametrize("role", ["committee", "eng_staff"])
def test_an_empty_work_queue_leads_to_the_list(client, org, role):
    """The committee member and the department's staff land on 我的待办, empty in the demo: the empty row
    now offers the list (what they can read) instead of a dead end."""
    client.force_login(org.a.users[role])
    html = client.get(reverse("complaints:work")).content.decode()
    assert "没有等待您处理的事项。" in html
    assert f'<a href="{reverse("complaints:list")}">查看投诉列表</a>' in html


def test_front_desk_tables_name_their_columns_for_the_phone_cards(client, org):
    """On a phone a table.list row is a card whose values carry their column's name (data-label); the
    daily reconciliation read "刘婷 / 2 / CYY-… / 未盘点" and the box log bare times and counts."""
    from conftest import make_complaint
    from docket.complaints import services
    from docket.core import clock

    reception = org.a.users["reception"]
    make_complaint(org)
    services.box_opening_record(actor=reception, office_id=org.a.office.id, opened_at=clock.now(), letters=3)
    client.force_login(reception)
    day = client.get(reverse("complaints:reconciliation")).content.decode()
    for label in ("受理人", "当日受理", "尚未移交", "盘点"):
        assert f'<td data-label="{label}">' in day, label
    box = client.get(reverse("complaints:box_log")).content.decode()
    for label in ("开箱时间", "管理处", "开箱人", "信件数", "记录", "产生的投诉/建议"):
        assert f'<td data-label="{label}">' in box, label
