"""Headless Chromium (Debian's, never a downloaded one) driven by Playwright against the live test
server. Screenshots land in test-artifacts/ for people to look at."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("DOCKET_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the Django ORM calls made by fixtures in the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_for(chromium, live_server):
    """page_for(user, viewport) → a logged-in page (through the real login form), on the staff list; with
    `land=True` it stays where signing in lands (我的待办)."""
    contexts = []

    def make(user, viewport=(1366, 768), land=False):
        ctx = chromium.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(user.username)
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/complaints/work/")
        if not land:
            page.goto(f"{live_server.url}/complaints/")
        return page

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
