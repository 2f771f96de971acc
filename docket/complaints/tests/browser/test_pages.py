"""The read-only staff pages in a real browser: login, list, complaint page, printable receipt."""

import pytest

from docket.complaints import services as s
from docket.complaints.models import Method
from docket.complaints.services import IssueInput

pytestmark = pytest.mark.browser


def test_reception_sees_list_detail_and_prints_receipt(
    transactional_db, org, complaint_factory, page_for, shot, live_server
):
    letter = complaint_factory(
        method=Method.LETTER,
        subject="关于雅苑小区管理处侵害业主权益的投诉（七项问题）",
        description="1号楼、4号楼外墙瓷砖脱落（照片为证），北门长期锁死，水箱多年未清洗……" * 3,
        issues=[
            IssueInput(summary="外墙瓷砖脱落"),
            IssueInput(summary="北门锁死、消防通道被占"),
            IssueInput(summary="生活水箱多年未清洗"),
        ],
        people_count=12,
    )
    s.note_add(
        actor=org.a.users["reception"],
        complaint_id=letter.id,
        text="业主代表情绪激动，已安抚并承诺三个工作日内答复",
    )
    page = page_for(org.a.users["reception"])
    assert page.get_by_role("link", name=letter.receipt_no).is_visible()
    shot(page, "01-list-1366")

    page.get_by_role("link", name=letter.receipt_no).click()
    page.wait_for_selector("text=处理记录")
    assert page.get_by_text("外墙瓷砖脱落").first.is_visible()
    assert page.get_by_text("内部", exact=True).first.is_visible()
    shot(page, "02-detail-1366")

    page.get_by_role("link", name="打印回执").click()
    page.wait_for_selector("text=记录回执单")
    assert page.get_by_text(letter.check_code).is_visible()
    shot(page, "03-receipt")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    from .conftest import ARTIFACTS

    (ARTIFACTS / "03-receipt.pdf").write_bytes(pdf)


def test_phone_layout_does_not_overflow(transactional_db, org, complaint_factory, page_for, shot):
    c = complaint_factory(
        subject="地下车库B区照明长期损坏，夜间行车和行人通行存在严重安全隐患，要求尽快维修" * 2
    )
    page = page_for(org.a.users["reception"], viewport=(390, 844))
    shot(page, "04-list-phone")
    page.goto(page.url.replace("/complaints/", f"/complaints/{c.id}/"))
    page.wait_for_selector("text=处理记录")
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not overflow, "the complaint page scrolls sideways on a phone"
    shot(page, "05-detail-phone")


def test_wrong_password_shows_chinese_error(transactional_db, org, chromium, live_server):
    ctx = chromium.new_context(locale="zh-CN")
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("cyy_reception")
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")
    ctx.close()
