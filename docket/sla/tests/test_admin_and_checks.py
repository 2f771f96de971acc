import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from docket.sla.checks import calendar_coverage
from docket.sla.models import CalendarYear, SlaPolicy


@pytest.fixture
def admin_client_(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def test_policy_admin_refuses_bad_rules_and_bumps_version(admin_client_, org):
    url = reverse("admin:sla_slapolicy_add")
    bad = admin_client_.post(
        url, {"company": org.company.id, "rules": '{"reply": {"letter": {"type": "weeks"}}}'}
    )
    assert bad.status_code == 200 and "规则有误" in bad.content.decode()
    assert not SlaPolicy.objects.exists()
    ok = admin_client_.post(
        url, {"company": org.company.id, "rules": '{"reply": {"letter": {"type": "working_days", "n": 3}}}'}
    )
    assert ok.status_code == 302
    policy = SlaPolicy.objects.get()
    assert policy.version == 1
    admin_client_.post(
        reverse("admin:sla_slapolicy_change", args=[policy.id]),
        {"company": org.company.id, "rules": '{"reply": {"letter": {"type": "working_days", "n": 4}}}'},
    )
    policy.refresh_from_db()
    assert policy.version == 2 and policy.rules["reply"]["letter"]["n"] == 4


def test_system_check_and_banner_warn_about_a_missing_year(admin_client_, org, settings):
    import time_machine

    with time_machine.travel("2026-12-10 10:00 +0800"):
        warnings = calendar_coverage(databases=["default"])
        assert [w.id for w in warnings] == ["docket.W001"] and "2027" in warnings[0].msg
        html = admin_client_.get(reverse("complaints:list")).content.decode()
        assert "缺少 2027 年" in html
        CalendarYear.objects.create(year=2027, source="test")
        from django.core.cache import cache

        from docket.sla import duetimes

        duetimes.invalidate()  # what the admin does on save
        cache.clear()
        assert calendar_coverage(databases=["default"]) == []
        assert "缺少 2027 年" not in admin_client_.get(reverse("complaints:list")).content.decode()


def test_no_warning_far_from_the_year_end(org):
    import time_machine

    with time_machine.travel("2026-06-10 10:00 +0800"):
        assert calendar_coverage(databases=["default"]) == []


def test_holidays_import_command(org, tmp_path, capsys):
    f = tmp_path / "2027.txt"
    f.write_text("year: 2027\nstatus: complete\n2027-01-01 holiday 元旦\n", encoding="utf-8")
    call_command("holidays_import", str(f))
    assert "2027: 1 dates loaded, complete" in capsys.readouterr().out
    assert CalendarYear.objects.filter(year=2027).exists()


@pytest.mark.django_db
def test_plain_manage_py_check_warns_about_a_missing_year(org):
    """`manage.py check` without --database (Django then passes databases=None) still reads the calendar."""
    import io

    import time_machine

    with time_machine.travel("2026-12-10 10:00 +0800"):
        assert [w.id for w in calendar_coverage()] == ["docket.W001"]
        err = io.StringIO()
        call_command("check", stdout=io.StringIO(), stderr=err)
        assert "docket.W001" in err.getvalue() and "2027" in err.getvalue()
        CalendarYear.objects.create(year=2027, source="test")
        from docket.sla import duetimes

        duetimes.invalidate()
        err = io.StringIO()
        call_command("check", stdout=io.StringIO(), stderr=err)
        assert "docket.W001" not in err.getvalue()
    # An explicit empty list of databases (a run with no database tests) never touches the database.
    assert calendar_coverage(databases=[]) == []


@pytest.mark.django_db
def test_shipped_statutory_days_count_until_the_imported_notice_overrides_them(org, tmp_path):
    from datetime import date

    from docket.sla import duetimes

    duetimes.invalidate()
    work = duetimes.calendar_for(None)
    assert not work.is_working_day(date(2027, 2, 8))  # 正月初三, shipped in docket/sla/holidays/2027.txt
    assert work.is_working_day(date(2027, 2, 9)) and not work.is_known(date(2027, 2, 9))
    # The official notice, imported: its 补假 and 调休 replace the statutory guess.
    f = tmp_path / "2027.txt"
    f.write_text(
        "year: 2027\nstatus: partial\n2027-02-09..2027-02-11 holiday 春节\n2027-02-08 workday 春节调休\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):  # a Monday cannot be a 调休 working day: the file is refused whole
        call_command("holidays_import", str(f))
    f.write_text("year: 2027\nstatus: partial\n2027-02-09..2027-02-11 holiday 春节\n", encoding="utf-8")
    call_command("holidays_import", str(f))
    work = duetimes.calendar_for(None)
    assert not any(work.is_working_day(date(2027, 2, d)) for d in range(5, 12))
    assert work.is_working_day(date(2027, 2, 12))
