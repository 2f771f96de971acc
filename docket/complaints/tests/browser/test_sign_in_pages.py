"""Sign-in pages in a real browser at phone and desktop size (docket/accounts): lockout message, two-step enrolment,
two-step sign-in; and no Content-Security-Policy violation on the busiest staff pages."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket.accounts.models import User

pytestmark = pytest.mark.browser

SIZES = {"phone": (390, 844), "desktop": (1366, 768)}


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _no_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", list(SIZES))
def test_lockout_message(transactional_db, chromium, live_server, shot, size):
    User.objects.create_user(username="wang", password="correct-horse-battery")
    ctx = chromium.new_context(
        viewport=dict(zip(("width", "height"), SIZES[size], strict=True)), locale="zh-CN"
    )
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    for _ in range(5):
        page.get_by_label("用户名").fill("wang")
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
    assert page.get_by_text("登录失败次数过多").is_visible()
    assert _no_overflow(page)
    shot(page, f"sec-01-lockout-{size}")
    page.goto(f"{live_server.url}/no-such-page/")
    assert page.get_by_role("heading", name="页面不存在").is_visible() and _no_overflow(page)
    shot(page, f"sec-06-404-{size}")
    # The 503 page as the middleware renders it (the database is up here; tests in docket/core bring it
    # down): same origin, so its stylesheet loads.
    from django.test import RequestFactory

    from docket.core.middleware import unavailable_response

    html = unavailable_response(RequestFactory().get("/complaints/")).content.decode()
    page.set_content(html)
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="系统暂时无法使用").is_visible() and _no_overflow(page)
    shot(page, f"sec-07-503-{size}")
    ctx.close()


def _open_menu(page):
    """Below 600 px the navigation is folded behind the menu button (issue 14)."""
    menu = page.locator("[data-menu]")
    if menu.is_visible():
        menu.click()


@pytest.mark.parametrize("size", list(SIZES))
def test_enrol_then_sign_in_with_a_code(transactional_db, org, page_for, live_server, shot, size):
    user = org.a.users["office_manager"]
    page = page_for(user, viewport=SIZES[size])
    csp_errors = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_errors.append(m.text))
    _open_menu(page)
    page.get_by_role("link", name=str(user)).click()
    page.wait_for_selector("text=用它扫描下面的二维码")
    qr = page.locator(".otp-qr svg").bounding_box()
    assert qr and qr["width"] >= 150 and qr["width"] == qr["height"]
    assert _no_overflow(page)
    shot(page, f"sec-02-enrol-{size}")

    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("动态验证码").fill(_code(device))
    page.get_by_role("button", name="确认启用").click()
    page.wait_for_selector("text=两步验证已启用")
    shot(page, f"sec-03-enrolled-{size}")

    _open_menu(page)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill("pw")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/login/otp/**")
    assert _no_overflow(page)
    shot(page, f"sec-04-code-{size}")
    page.get_by_label("动态验证码").fill("000000" if _code(device) != "000000" else "111111")
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_selector("text=动态验证码不正确")
    shot(page, f"sec-05-wrong-code-{size}")
    # A code is accepted once (django-otp refuses a replay of its 30-second step), and the one used to
    # enrol may be the current one still: the next step's code, which a phone whose clock runs a little
    # ahead would show (django-otp's tolerance of one step), instead of waiting up to 30 s for it.
    # django-otp also throttles after the wrong code (1 s after one failure).
    time.sleep(1.2)
    device.refresh_from_db()
    page.get_by_label("动态验证码").fill(_code(device, steps_ahead=1))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(f"{live_server.url}/complaints/work/")
    assert csp_errors == []


def test_staff_pages_raise_no_csp_violation(transactional_db, org, complaint_factory, page_for):
    from docket.org.models import Resident

    Resident.objects.create(room=org.a.room, name="王建国", phone="13800000001")
    c = complaint_factory(complainant_phone="13800000001")
    page = page_for(org.a.users["reception"])
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    for path in ["/complaints/", f"/complaints/{c.id}/", f"/complaints/{c.id}/receipt/", "/complaints/new/"]:
        page.goto(page.url.split("/complaints/")[0] + path)
        page.wait_for_load_state("networkidle")
    # The intake page's lookup (static/docket/intake.js + htmx) still works under the policy.
    # The API's own documentation page (Swagger UI from our static files) works under the policy too.
    page.goto(page.url.split("/complaints/")[0] + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    page.goto(page.url.split("/api/")[0] + "/complaints/new/")
    page.get_by_label("联系电话").press_sequentially("13800000001")  # the lookup answers full numbers only
    page.locator("#lookup [data-fill-name]").first.click(timeout=5000)
    assert page.get_by_label("投诉人姓氏/姓名").input_value() == "王建国"
    assert errors == []
