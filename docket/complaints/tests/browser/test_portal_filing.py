"""Portal filing in Debian's Chromium, on a phone (390×844, as in the WeChat in-app browser) and on a PC
(1366×768): the office page → prove the phone with the SMS code read from the SMS log → file with a photo →
the receipt → download the receipt PDF (rendered to PNG for people to look at) → track."""

import io
import json
import re

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from docket.complaints.models import Attachment, Complaint
from docket.portal.filing.tests.test_filing import jpeg

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": (390, 844), "pc": (1366, 768)}


def _code_from_sms_log(path) -> str:
    last = path.read_text(encoding="utf-8").strip().splitlines()[-1]
    m = re.search(r"验证码是 (\d{6})", json.loads(last)["text"])
    assert m is not None
    return m.group(1)


@pytest.mark.parametrize("device", ["phone", "pc"])
def test_file_with_a_photo_then_receipt_pdf_then_track(
    device, transactional_db, org, chromium, live_server, shot, settings, tmp_path
):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")
    o = org.a.office
    o.phone, o.hotline_24h, o.email = "029-86001001", "029-86009001", "kefu-cyy@example.com"
    o.office_hours, o.contact_post = "周一至周日 8:30-18:00", "客服中心前台"
    o.save()
    width, height = VIEWPORTS[device]
    ctx = chromium.new_context(
        viewport={"width": width, "height": height},
        locale="zh-CN",
        is_mobile=device == "phone",
        accept_downloads=True,
    )
    problems: list[str] = []
    page = ctx.new_page()
    # the wrong code is answered 422 on purpose; any other console error is a problem
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "status of 422" not in m.text else None,
    )

    def fits():
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    try:
        page.goto(f"{live_server.url}/p/o/{o.code}/")
        expect(page.locator("#channels")).to_contain_text("029-86009001")
        expect(page.locator("#promises")).to_contain_text("当天答复")
        fits()
        shot(page, f"portal-filing-{device}-01-office")

        page.get_by_role("link", name="我要投诉 / 建议 / 咨询").click()
        page.get_by_role("link", name="验证手机号后提交").click()
        page.get_by_label("手机号码").fill("13812345678")
        page.get_by_role("button", name="获取验证码").click()
        expect(page.get_by_role("status")).to_contain_text("验证码已通过短信发送")
        page.get_by_label("短信验证码").fill(
            "000000" if _code_from_sms_log(tmp_path / "sms.log") != "000000" else "111111"
        )
        page.get_by_role("button", name="验证", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("验证码不正确")
        page.get_by_label("短信验证码").fill(_code_from_sms_log(tmp_path / "sms.log"))
        fits()
        shot(page, f"portal-filing-{device}-02-phone")
        page.get_by_role("button", name="验证", exact=True).click()
        page.wait_for_url(f"{live_server.url}/p/o/{o.code}/file/")

        page.get_by_label("楼栋").select_option(label=org.a.room.unit.building.name)
        page.get_by_label("单元").select_option(label=org.a.room.unit.name)
        page.get_by_label("房号").fill(org.a.room.number)
        page.get_by_label(re.compile("事情经过")).fill("卫生间天花板漏水，已经三天了😟，楼上没人在家。")
        page.get_by_label(re.compile("您的诉求")).fill("请尽快联系楼上业主并维修。")
        page.set_input_files(
            "#photos", files=[{"name": "漏水.jpg", "mimeType": "image/jpeg", "buffer": jpeg((800, 600))}]
        )
        page.get_by_label(re.compile("您的称呼")).fill("王女士")
        fits()
        shot(page, f"portal-filing-{device}-03-form")
        page.get_by_role("button", name="提交").click()

        c = Complaint.objects.get()
        page.wait_for_url(f"{live_server.url}/p/r/{c.receipt_no}/")
        expect(page.locator(".p-code")).to_have_text(c.check_code)
        expect(page.locator("#promise")).to_contain_text("前")
        assert Attachment.objects.filter(complaint=c).count() == 1
        fits()
        shot(page, f"portal-filing-{device}-04-receipt")

        with page.expect_download() as dl:
            page.get_by_role("link", name="下载回执（PDF）").click()
        pdf_path = ARTIFACTS / f"portal-filing-{device}-receipt.pdf"
        dl.value.save_as(pdf_path)
        pdf = pdfium.PdfDocument(io.BytesIO(pdf_path.read_bytes()))
        text = pdf[0].get_textpage().get_text_range()
        assert c.receipt_no in text and c.check_code in text and "投诉受理回执" in text
        pdf[0].render(scale=1.5).to_pil().save(ARTIFACTS / f"portal-filing-{device}-05-receipt-pdf.png")

        page.get_by_role("link", name="查看处理进度").click()
        page.wait_for_url(f"{live_server.url}/p/track/{c.receipt_no}/")
        expect(page.locator(".p-timeline")).to_contain_text("登记")
        expect(page.locator(".p-deadlines")).to_contain_text("剩余")
        fits()
        shot(page, f"portal-filing-{device}-06-track")

        page.goto(f"{live_server.url}/p/phone/list/")
        expect(page.locator(".p-list")).to_contain_text(c.receipt_no)
        fits()
        shot(page, f"portal-filing-{device}-07-my-list")
    finally:
        ctx.close()
    assert not problems, problems
