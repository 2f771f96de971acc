"""The in-app notice list and its unread badge (issue 14)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.accounts.models import User
from docket.notifications import inbox
from docket.notifications.models import Notification
from docket.notifications.service import notify


@pytest.fixture
def people(db):
    return {
        "mail": User.objects.create_user("inbox_mail", email="a@example.com", password="pw"),
        "bare": User.objects.create_user("inbox_bare", password="pw"),
        "other": User.objects.create_user("inbox_other", email="o@example.com", password="pw"),
    }


def _notify(users, key, subject="新派单", ref="complaint:42"):
    return notify(kind="assigned", recipients=users, subject=subject, body="请处理", dedupe_key=key, ref=ref)


def test_one_entry_per_notice_whatever_the_channels(people, settings):
    from docket.notifications.models import NoticePreference

    NoticePreference.objects.create(
        company_id=None, role="*", notice="assigned", channels=["email", "console"]
    )
    _notify([people["mail"], people["bare"]], "a:1")
    assert Notification.objects.filter(recipient=people["mail"]).count() == 2  # e-mail and in-app rows
    assert inbox.notices_for(people["mail"]).count() == 1
    assert inbox.notices_for(people["bare"]).count() == 1
    assert inbox.unread_count(people["mail"]) == 1


def test_list_shows_only_own_notices_newest_first(client, people):
    _notify([people["mail"]], "k:1", subject="第一条")
    _notify([people["mail"]], "k:2", subject="第二条")
    _notify([people["other"]], "k:3", subject="别人的通知")
    client.force_login(people["mail"])
    html = client.get(reverse("notifications:list")).content.decode()
    assert "别人的通知" not in html
    assert html.index("第二条") < html.index("第一条")
    assert 'class="badge">2<' in html  # nav badge


def test_list_requires_sign_in(client):
    r = client.get(reverse("notifications:list"))
    assert r.status_code == 302 and "/login/" in r["Location"]
    r = client.post(reverse("notifications:read_all"))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_mark_read_only_own(client, people):
    _notify([people["mail"], people["other"]], "m:1")
    mine = inbox.notices_for(people["mail"]).get()
    theirs = inbox.notices_for(people["other"]).get()
    client.force_login(people["mail"])
    # another user's notice: nothing changes
    client.post(reverse("notifications:read", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    r = client.post(reverse("notifications:read", args=[mine.pk]), {"open": "1"})
    assert r.status_code == 302 and r["Location"] == reverse("complaints:detail", args=[42])
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert inbox.unread_count(people["mail"]) == 0
    assert inbox.unread_count(people["other"]) == 1
    # GET never marks read
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405


def test_mark_all_read_and_unread_filter(client, people):
    for i in range(3):
        _notify([people["mail"], people["other"]], f"all:{i}")
    client.force_login(people["mail"])
    assert client.get(reverse("notifications:list") + "?unread=1").content.decode().count("标为已读") == 4
    client.post(reverse("notifications:read_all"))
    assert inbox.unread_count(people["mail"]) == 0
    assert inbox.unread_count(people["other"]) == 3
    html = client.get(reverse("notifications:list") + "?unread=1").content.decode()
    assert "没有通知" in html


def test_paged(client, people):
    for i in range(inbox.PAGE_SIZE + 5):
        _notify([people["bare"]], f"p:{i}", subject=f"通知{i:03d}")
    client.force_login(people["bare"])
    first = client.get(reverse("notifications:list")).content.decode()
    second = client.get(reverse("notifications:list") + "?page=2").content.decode()
    assert "通知034" in first and "通知000" not in first
    assert "通知000" in second and "通知034" not in second
    assert 'class="badge">35<' in first


def test_badge_counts_once_until_a_notice_changes(rf, people):
    """The badge's COUNT runs once; later pages reuse it until a notice to the user is written or marked
    read (pagecpu: the `inbox-<id>` generation stamp)."""
    from django.template import engines

    _notify([people["bare"]], "q:1")
    request = rf.get("/")
    request.user = people["bare"]
    tpl = engines["django"].from_string('{% include "notifications/_nav_badge.html" %}')

    def render():
        with CaptureQueriesContext(connection) as ctx:
            html = tpl.render({"request": request}, request)
        return html, [q["sql"] for q in ctx.captured_queries if "notifications_notification" in q["sql"]]

    html, mine = render()
    # the context processors (roles for the navigation) are the page's own; the badge adds one COUNT
    assert len(mine) == 1 and "COUNT" in mine[0].upper()
    assert '<span class="badge">1</span>' in html
    html, mine = render()
    assert mine == [] and '<span class="badge">1</span>' in html
    _notify([people["bare"]], "q:2")
    html, mine = render()
    assert len(mine) == 1 and '<span class="badge">2</span>' in html
    inbox.mark_read(people["bare"], inbox.notices_for(people["bare"]).first().pk)
    assert '<span class="badge">1</span>' in render()[0]
    inbox.mark_all_read(people["bare"])
    assert 'class="badge"' not in render()[0]
    _notify([people["other"]], "q:3")  # another user's notice leaves this count alone
    assert render()[1] == []


def test_unread_count_badge_caps(rf, people):
    from django.template import engines

    Notification.objects.bulk_create(
        [
            Notification(
                recipient=people["bare"],
                inbox=True,
                kind="assigned",
                channel="console",
                subject="s",
                body="b",
                dedupe_key=f"cap{i}",
                next_attempt_at="2026-01-01T00:00Z",
                created_at="2026-01-01T00:00Z",
            )
            for i in range(120)
        ]
    )
    request = rf.get("/")
    request.user = people["bare"]
    html = (
        engines["django"]
        .from_string('{% include "notifications/_nav_badge.html" %}')
        .render({"request": request}, request)
    )
    assert ">99+<" in html
