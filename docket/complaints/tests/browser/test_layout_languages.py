"""No sideways scrolling on the work queue and the list (issue 14), in English and in Chinese, at 1366×768 and
390×844: English labels are longer (the table used to be clipped at 1366 px in English)."""

import pytest

from conftest import make_complaint
from docket.complaints.models import Method, State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.browser

PAGES = [
    "/complaints/work/",
    "/complaints/work/?view=unassigned",
    "/complaints/",
    "/complaints/search/?q=CYY",
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["pc", "phone"])
def test_queue_and_list_fit_the_screen(
    transactional_db, org, page_for, shot, live_server, viewport, language
):
    make_complaint(
        org, subject="Lift 2 out of service since Monday morning, elderly residents stuck upstairs"
    )
    drive_to(org, State.INVESTIGATING)
    drive_to(org, State.IN_REVIEW, method=Method.EMAIL)
    drive_to(org, State.FOLLOW_UP)
    page = page_for(org.a.users["office_manager"], viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    size = f"{viewport[0]}x{viewport[1]}"
    for n, path in enumerate(PAGES, start=1):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.lang") == language
        width = page.evaluate("document.scrollingElement.scrollWidth")
        shot(page, f"layout-{n}-{language}-{size}")
        # nothing scrolls sideways: not the page, and not the table inside its wrapper
        assert width <= viewport[0], (path, width)
        inner = page.evaluate(
            "Math.max(0, ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth))"
        )
        assert inner == 0, (path, inner)
