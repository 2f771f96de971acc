"""A system check that warns when the calendar has no holiday data for a year deadlines may soon reach
(R-SLA-1: never silently weekends-only).

Django passes `databases=None` to every check unless `manage.py check --database NAME` is given, and its own
database checks then stay silent. This one is about data, not the schema, and the README promises that a plain
`manage.py check` (and runserver's start) warns, so it reads the default database then; an explicit empty list
(a test runner with no database tests) still means "no database". A database that is missing or not migrated
yet gives no warning."""

from django.core.checks import Warning, register
from django.db import DatabaseError


@register("docket")
def calendar_coverage(app_configs=None, databases=None, **kwargs):
    if databases is None:
        databases = ["default"]
    if "default" not in databases:
        return []
    from .duetimes import unknown_years_ahead

    try:
        years = unknown_years_ahead()
    except DatabaseError:  # not migrated yet
        return []
    return [
        Warning(
            f"工作日历缺少 {year} 年的完整节假日安排；涉及该年的处理时限暂按周末和法定节日计算（未含补假和调休）并标为“暂定”。",
            hint=f"导入国务院办公厅 {year} 年节假日安排：python manage.py holidays_import FILE",
            id="docket.W001",
        )
        for year in years
    ]
