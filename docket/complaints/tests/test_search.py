"""The top bar's search (issue 14): receipt number, subject, issue text, phone (full or last four), name and
room, only within what the user may see, and people's details only for roles that see them in full."""

import pytest
from django.urls import reverse

from docket.complaints import selectors
from docket.complaints.services import IssueInput


def _found(user, text):
    return [c.id for c in selectors.search_for(user, text)]


@pytest.fixture
def two(org, complaint_factory):
    mine = complaint_factory(
        subject="地下车库照明损坏",
        complainant_name="张伟",
        complainant_phone="13912345678",
        issues=[IssueInput(summary="B区照明两周未修", category_id=org.categories["电梯"].id)],
    )
    theirs = complaint_factory(
        kit=org.b,
        subject="地下车库照明损坏",
        complainant_name="张伟",
        complainant_phone="13912345678",
        issues=[IssueInput(summary="B区照明两周未修", category_id=org.categories["电梯"].id)],
    )
    return mine, theirs


@pytest.mark.parametrize("text", ["车库照明", "两周未修", "13912345678", "139-1234-5678", "5678", "张伟"])
def test_reception_finds_by_every_field_in_its_office_only(org, two, text):
    mine, theirs = two
    assert _found(org.a.users["reception"], text) == [mine.id]
    assert _found(org.b.users["reception"], text) == [theirs.id]


def test_receipt_number_and_room(org, two):
    mine, _theirs = two
    rec = org.a.users["reception"]
    assert _found(rec, mine.receipt_no) == [mine.id]
    assert _found(rec, mine.receipt_no.lower()) == [mine.id]
    assert mine.id in _found(rec, org.a.room.number)


def test_masked_roles_cannot_search_by_person(org, two):
    """The general office sees complainants masked: it finds by subject, not by phone or name; the owners'
    committee finds its own community's complaint by subject (it browses them masked, issue 11), never by
    the person, and nothing of another community."""
    mine, theirs = two
    go = org.users["general_office"]
    assert sorted(_found(go, "车库照明")) == sorted([mine.id, theirs.id])
    assert _found(go, "13912345678") == [] and _found(go, "张伟") == [] and _found(go, "5678") == []
    committee = org.a.users["committee"]
    assert _found(committee, "车库照明") == [mine.id]
    assert _found(committee, "13912345678") == [] and _found(committee, "张伟") == []
    assert _found(org.other_company_qm, "车库照明") == []


def test_short_or_partial_input_finds_nothing(org, two):
    rec = org.a.users["reception"]
    assert _found(rec, "车") == []
    assert _found(rec, "1391234") == []  # a prefix of a number is not a number


def test_search_page(client, org, two):
    mine, theirs = two
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:search"), {"q": "5678"}).content.decode()
    assert mine.receipt_no in html and theirs.receipt_no not in html
    assert 'action="/complaints/search/"' in html  # the box is in the top bar
    html = client.get(reverse("complaints:search"), {"q": "车"}).content.decode()
    assert "请至少输入两个字" in html
    client.logout()
    assert client.get(reverse("complaints:search"), {"q": "5678"}).status_code == 302


def test_the_newest_window_answers_a_common_term_and_the_history_a_rare_one(
    org, complaint_factory, monkeypatch
):
    """A term that fills the page from the newest complaints is answered from them (the same rows, in the
    same order, as the whole history gives); one that does not is looked up in the whole history."""
    monkeypatch.setattr(selectors, "SEARCH_WINDOWS", (4, 5))
    old = complaint_factory(subject="旧投诉：水管爆裂")
    common = [complaint_factory(subject=f"电梯异响第{i}次") for i in range(6)]
    rec = org.a.users["reception"]
    whole = _found(rec, "电梯异响")
    assert sorted(whole) == sorted(c.id for c in common)
    for need in (2, 3):
        windowed = [c.id for c in selectors.search_for(rec, "电梯异响", need=need)]
        assert windowed[:need] == whole[:need]  # the page and the one after it are the same
    assert [c.id for c in selectors.search_for(rec, "水管爆裂", need=3)] == [old.id]  # outside the window
    # A window that cannot fill the page falls back to the whole history: every match, none lost.
    assert sorted(c.id for c in selectors.search_for(rec, "电梯异响", need=50)) == sorted(whole)


def test_search_page_numbers_are_bounded(org, two, client):
    client.force_login(org.a.users["reception"])
    for page in ("0", "-3", "abc", "99999999999"):
        r = client.get(reverse("complaints:search"), {"q": "车库照明", "page": page})
        assert r.status_code == 200


def test_the_scope_probed_per_row_is_the_scope(org, complaint_factory):
    """`complaints_visible_to(user, few=True)` (the search's candidates: a department's issues probed per
    row) names the same complaints as the hashed form, for every user: a department sees what it holds and
    what it owns an issue of, nothing else."""
    from docket.complaints.access import complaints_visible_to
    from docket.complaints.models import ComplaintIssue

    held = complaint_factory(subject="电梯异响一")
    owned = complaint_factory(subject="电梯异响二", kit=org.b)
    complaint_factory(subject="电梯异响三")
    ComplaintIssue.objects.filter(complaint=held).update(department=org.a.depts["engineering"])
    held.__class__.objects.filter(pk=held.pk).update(holder_department=org.a.depts["engineering"])
    ComplaintIssue.objects.filter(complaint=owned).update(department=org.b.depts["security"])
    users = [*org.users.values(), org.other_company_qm]
    for kit in (org.a, org.b):
        users += kit.users.values()
    for user in users:
        hashed = set(complaints_visible_to(user).values_list("id", flat=True))
        assert set(complaints_visible_to(user, few=True).values_list("id", flat=True)) == hashed, user
    assert held.id in set(
        complaints_visible_to(org.a.users["eng_supervisor"], few=True).values_list("id", flat=True)
    )
    sec = org.b.users["sec_supervisor"]
    assert set(complaints_visible_to(sec, few=True).values_list("id", flat=True)) == {owned.id}


def test_a_window_reads_all_its_matches(org, complaint_factory, monkeypatch):
    """A department's matches in the larger window are found even when newer matches of other departments
    outnumber the page many times over (the window's matches are not cut to the newest few first)."""
    from docket.complaints.models import ComplaintIssue

    monkeypatch.setattr(selectors, "SEARCH_WINDOWS", (3, 12))
    ours = [complaint_factory(subject=f"门禁损坏{i}") for i in range(3)]
    for c in ours:
        c.__class__.objects.filter(pk=c.pk).update(holder_department=org.a.depts["security"])
    others = [complaint_factory(subject=f"门禁损坏他{i}") for i in range(8)]
    for c in others:
        ComplaintIssue.objects.filter(complaint=c).update(department=org.a.depts["engineering"])
    sec = org.a.users["sec_supervisor"]
    found = [c.id for c in selectors.search_for(sec, "门禁损坏", need=3)]
    assert sorted(found) == sorted(c.id for c in ours)


@pytest.mark.parametrize("text", ["车库照明", "两周未修", "13912345678", "5678", "张伟", "101", "CYY-"])
def test_a_departments_window_finds_what_the_whole_history_finds(org, complaint_factory, monkeypatch, text):
    """A department supervisor's windowed search (the department's own complaints of the window, each row
    tested: selectors._department_window, _department_matches) gives the page the whole-history search gives,
    by every field."""
    from docket.complaints.models import Complaint

    complaint_factory(subject="更早的投诉")  # the window starts above the first id
    mine = complaint_factory(
        subject="地下车库照明损坏",
        complainant_name="张伟",
        complainant_phone="13912345678",
        issues=[IssueInput(summary="B区照明两周未修", category_id=org.categories["电梯"].id)],
    )
    Complaint.objects.filter(pk=mine.pk).update(holder_department=org.a.depts["engineering"])
    for i in range(3):
        complaint_factory(subject=f"无关{i}", complainant_phone="13700000000", complainant_name="李")
    top = Complaint.objects.order_by("-id").values_list("id", flat=True)[0]
    monkeypatch.setattr(selectors, "SEARCH_WINDOWS", (1, top - mine.id + 1))
    used = []
    original = selectors._department_matches  # the window's statement (compiled once per shape)
    monkeypatch.setattr(
        selectors,
        "_department_matches",
        lambda user, text, need, after, upto=None: (
            used.append(after) or original(user, text, need, after, upto)
        ),
    )
    # Digits are looked up in the whole history first (search5): taken as common here, so that the window
    # answers them too.
    monkeypatch.setattr(selectors, "_rare_in_history", lambda user, text: False)
    sup = org.a.users["eng_supervisor"]
    whole = [c.id for c in selectors.search_for(sup, text)]
    assert mine.id in whole
    windowed = [c.id for c in selectors.search_for(sup, text, need=1)]
    assert (used or len(text) < 3) and windowed == whole[:1]  # two characters: no window (no trigram)


@pytest.mark.parametrize("cap", [1, 10_000])
@pytest.mark.parametrize("role", ["reception", "eng_supervisor"])
def test_a_term_few_in_the_first_window_is_read_from_the_whole_history(
    org, complaint_factory, monkeypatch, cap, role
):
    """A term the first window finds too few of is looked up in the whole history first (each field's arm
    capped: selectors.HISTORY_IDS); the page is the one the windows and the whole history give — the newest
    matches in the larger window when it holds a page of them, else the history's — for a rare term (every
    arm under its cap) and a common one (an arm at its cap: the windows and the walk answer as before)."""
    from docket.complaints.models import Complaint

    matches = [complaint_factory(subject=f"水管爆裂第{i}次") for i in range(5)]
    for i in range(6):
        complaint_factory(subject=f"无关投诉{i}")
    Complaint.objects.filter(pk__in=[c.pk for c in matches]).update(
        holder_department=org.a.depts["engineering"]
    )
    monkeypatch.setattr(selectors, "SEARCH_WINDOWS", (1, 10))
    monkeypatch.setattr(selectors, "HISTORY_IDS", cap)
    asked = []
    original = selectors._rare_in_history
    monkeypatch.setattr(
        selectors, "_rare_in_history", lambda user, text: asked.append(text) or original(user, text)
    )
    user = org.a.users[role]
    whole = [c.id for c in selectors.search_for(user, "水管爆裂")]
    assert sorted(whole) == sorted(c.id for c in matches)
    for need in (1, 2, 4, 6):
        asked.clear()
        page = [c.id for c in selectors.search_for(user, "水管爆裂", need=need)]
        assert page == whole[:need], need
        assert asked == ["水管爆裂"] or need == 1  # one match in the first window answers a page of one
    assert selectors._page_of([9, 8, 3, 2], top=10, need=2) == [9, 8]  # the larger window's (id > 0)


@pytest.mark.parametrize("backdated", [False, True])
def test_a_departments_larger_window_is_read_in_slices(org, complaint_factory, monkeypatch, backdated):
    """A department supervisor's term with fewer than a page in the first window reads the larger window in
    slices below it (selectors._larger_window) and stops once it holds a page and no complaint of the
    company further down was received after the page's last row — unless one was (an older id received
    later), when the slices go on to the larger window's end: the page is the whole history's either way."""
    from datetime import timedelta

    from docket.complaints.models import Complaint

    subjects = ["停车位被占A", "无关1", "无关2", "停车位被占B", "无关3", "停车位被占C", "无关4"]
    made = [complaint_factory(subject=s) for s in subjects]  # oldest first: ids and received times rise
    ours = [c for c in made if c.subject.startswith("停车位被占")]
    Complaint.objects.filter(pk__in=[c.pk for c in ours]).update(holder_department=org.a.depts["engineering"])
    if backdated:  # the oldest match received after every other complaint
        Complaint.objects.filter(pk=ours[0].pk).update(received_at=made[-1].received_at + timedelta(hours=1))
    monkeypatch.setattr(selectors, "SEARCH_WINDOWS", (2, 40))  # first: the newest 2; then 4 or 6 more
    checked = []
    original = selectors._newer_below
    monkeypatch.setattr(
        selectors,
        "_newer_below",
        lambda *args: (lambda newer: checked.append(newer) or newer)(original(*args)),
    )
    sup = org.a.users["eng_supervisor"]
    whole = [c.id for c in selectors.search_for(sup, "停车位被占")]
    page = [c.id for c in selectors.search_for(sup, "停车位被占", need=2)][:2]  # the view's slice
    assert page == whole[:2]
    assert checked[:1] == [backdated]  # the first slice holding a page: the rest need not be read
    rows = [c.id for c in selectors.search_rows(sup, "停车位被占", 2)]  # the search page's rows
    assert rows == page


@pytest.mark.parametrize("role", ["reception", "eng_supervisor"])
def test_the_search_pages_rows_are_the_searchs(org, complaint_factory, monkeypatch, client, role):
    """The search page's rows (selectors.search_rows: the page's ids read as the list reads its rows, search5)
    are `search_for`'s, page by page, with the next-page link where another page follows."""
    from docket.complaints.models import Complaint

    made = [complaint_factory(subject=f"楼道灯不亮{i}") for i in range(5)]
    Complaint.objects.filter(pk__in=[c.pk for c in made]).update(holder_department=org.a.depts["engineering"])
    monkeypatch.setattr(selectors, "SEARCH_WINDOWS", (2, 4))
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 2)
    user = org.a.users[role]
    whole = [c.id for c in selectors.search_for(user, "楼道灯不亮")]
    assert sorted(whole) == sorted(c.id for c in made)
    client.force_login(user)
    for number in (1, 2, 3):
        page = client.get(reverse("complaints:search"), {"q": "楼道灯不亮", "page": number}).context["page"]
        assert [c.id for c in page] == whole[(number - 1) * 2 : number * 2]
        assert page.has_next() == (number < 3)
        assert all(c.office.name and c.holder_department.name for c in page)


def test_search_text_is_the_subject_and_every_issue_in_order(org, complaint_factory):
    """search6: intake writes the complaint's search text — its subject, then each issue's summary as stored
    (stripped) — and the search finds a term in any of them, the second issue's included."""
    from docket.complaints.models import Complaint
    from docket.complaints.models.complaint import SEARCH_SEP

    c = complaint_factory(
        subject="楼道照明",
        issues=[
            IssueInput(summary="  三楼灯不亮 ", category_id=org.categories["电梯"].id),
            IssueInput(summary="电梯按钮失灵", category_id=org.categories["电梯"].id),
        ],
    )
    assert Complaint.objects.get(pk=c.pk).search_text == SEARCH_SEP.join(
        ["楼道照明", "三楼灯不亮", "电梯按钮失灵"]
    )
    rec = org.a.users["reception"]
    assert _found(rec, "按钮失灵") == [c.id]
    assert _found(rec, "灯不亮") == [c.id]


def test_a_term_never_matches_across_two_parts(org, complaint_factory):
    """The parts are joined by a control character no term holds: the end of the subject and the start of an
    issue ("照明" + "三楼") do not make "照明三楼", and a term carrying the separator is searched without it."""
    from docket.complaints.models.complaint import SEARCH_SEP

    c = complaint_factory(
        subject="楼道照明",
        issues=[IssueInput(summary="三楼灯不亮", category_id=org.categories["电梯"].id)],
    )
    rec = org.a.users["reception"]
    assert _found(rec, "照明三楼") == []
    assert _found(rec, "道照明" + SEARCH_SEP) == [c.id]
    assert selectors.search_term(f" 照明{SEARCH_SEP}三楼\n") == "照明三楼"


def test_the_migration_fills_the_search_text_of_earlier_complaints(org, complaint_factory):
    """0029 fills what intake now writes, for the complaints recorded before it (on this database's SQL)."""
    import importlib

    from django.db import connection

    from docket.complaints.models import Complaint

    fill = importlib.import_module("docket.complaints.migrations.0029_search_text").fill
    a = complaint_factory(
        subject="小区门禁",
        issues=[
            IssueInput(summary="门禁卡失效", category_id=org.categories["电梯"].id),
            IssueInput(summary="访客登记混乱", category_id=org.categories["电梯"].id),
        ],
    )
    b = complaint_factory(subject="垃圾清运不及时")
    written = {c.pk: c.search_text for c in Complaint.objects.filter(pk__in=[a.pk, b.pk])}
    Complaint.objects.filter(pk__in=[a.pk, b.pk]).update(search_text="")

    class Editor:  # what the migration uses of a schema editor (SQLite's refuses to open inside a test)
        def __init__(self):
            self.connection = connection

        def execute(self, sql, params=()):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)

    fill(None, Editor())
    assert {c.pk: c.search_text for c in Complaint.objects.filter(pk__in=[a.pk, b.pk])} == written
    assert written[a.pk] == "小区门禁\x1f门禁卡失效\x1f访客登记混乱" and written[b.pk].startswith(
        "垃圾清运不及时\x1f"
    )


def test_digits_alone_name_a_receipt_by_its_last_digits(org, two):
    """search6: "2407" is the end of a receipt number (its sequence), not any four digits inside it — inside,
    they match its date, and every receipt of a month. A part with a letter or a dash is any part."""
    mine, _theirs = two
    rec = org.a.users["reception"]
    office, day, seq = mine.receipt_no.rsplit("-", 2)
    assert mine.id in _found(rec, seq)
    assert mine.id in _found(rec, seq[-3:])
    inside = day[2:6]  # e.g. "2612" of 20261204
    assert not mine.receipt_no.endswith(inside) and inside not in mine.complainant_phone
    assert mine.id not in _found(rec, inside)
    assert mine.id in _found(rec, f"{day}-")
    assert mine.id in _found(rec, f"{office}-{day}".lower())
