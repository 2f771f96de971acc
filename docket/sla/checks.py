"""A system check that warns when the calendar has no holiday data for a year deadlines may soon reach
(R-SLA-1: never silently weekends-only)."""

from django.core.checks import Warning, register
from django.db import DatabaseError


@register("docket")
def calendar_coverage(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from .deadlines import unknown_years_ahead

    try:
        years = unknown_years_ahead()
    except DatabaseError:  # not migrated yet
        return []
    return [
        Warning(
            f"工作日历缺少 {year} 年的法定节假日数据；涉及该年的处理时限仅按周末计算并标为“暂定”。",
            hint=f"导入国务院办公厅 {year} 年节假日安排：python manage.py holidays_import FILE",
            id="docket.W001",
        )
        for year in years
    ]
