"""`GET /statistics`: counts by state, kind, channel, method and category, and on-time rates, for an
office or company in the caller's scope over a date range (R-ANA-1). Computed by
`docket.reports.selectors.complaint_statistics` in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta

from ninja import Query, Router, Schema
from pydantic import Field, model_validator

from docket.complaints import selectors as complaint_selectors
from docket.complaints.models import Channel, Kind, Method, Obligation, State
from docket.core import clock
from docket.reports.selectors import complaint_statistics

from .. import selectors
from ..schemas.common import ERROR_STATUSES, ErrorOut, Id

router = Router(tags=["statistics"])
MAX_DAYS = 3660


class StatisticsQuery(Schema):
    office: Id = Field(None, description="one office in the caller's scope")  # type: ignore[assignment]
    company: Id = Field(None, description="one company in the caller's scope")  # type: ignore[assignment]
    date_from: date = Field(None, description="first day received (Beijing time); default 30 days ago")  # type: ignore[assignment]
    date_to: date = Field(None, description="last day received, inclusive; default today")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _range(self):
        if self.office and self.company:
            raise ValueError("office 与 company 只能选一个")
        for d in (self.date_from, self.date_to):
            if d is not None and not 2000 <= d.year <= 2100:
                raise ValueError("日期须在 2000 年至 2100 年之间")
        if self.date_from and self.date_to:
            if self.date_from > self.date_to:
                raise ValueError("date_from 不能晚于 date_to")
            if (self.date_to - self.date_from).days > MAX_DAYS:
                raise ValueError("时间范围不能超过 10 年")
        return self


class CountOut(Schema):
    key: str
    label: str
    count: int


class CategoryCount(Schema):
    category_id: int | None = Field(description="null: issues without a category")
    name: str
    complaints: int = Field(description="complaints with at least one issue in this category")


class OnTimeOut(Schema):
    kind: str = Field(description="the deadline kind (reply, acknowledge, verify, follow_up …)")
    label: str
    decided: int = Field(description="met, or past their due time")
    on_time: int = Field(description="met no later than their due time")
    rate: float | None = Field(description="on_time / decided; null when nothing is decided yet")


class StatisticsOut(Schema):
    office_id: int | None
    company_id: int | None
    date_from: date
    date_to: date
    total: int
    open: int
    overdue: int = Field(description="open complaints past a due time now")
    by_state: list[CountOut]
    by_kind: list[CountOut]
    by_channel: list[CountOut]
    by_method: list[CountOut]
    by_category: list[CategoryCount]
    on_time: list[OnTimeOut]
    on_time_rate: float | None = Field(description="all deadline kinds together")


def _rows(counts: dict[str, int], choices) -> list[dict]:
    labels = dict(choices)
    return [
        {"key": k, "label": str(labels.get(k, k)), "count": n}
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


@router.get(
    "/statistics",
    response={200: StatisticsOut, ERROR_STATUSES: ErrorOut},
    operation_id="statistics_get",
    summary="Counts and on-time rates of the complaints the caller may see, received in a date range",
)
def statistics_get(request, q: Query[StatisticsQuery]):
    qs = complaint_selectors.complaint_list_for(request.auth).order_by()
    if q.office:
        qs = qs.filter(office=selectors.office_for(request.auth, q.office))
    elif q.company:
        qs = qs.filter(company=selectors.company_for(request.auth, q.company))
    today = clock.local_now().date()
    date_to = q.date_to or max(today, q.date_from or today)
    date_from = q.date_from or date_to - timedelta(days=30)
    stats = complaint_statistics(qs, date_from=date_from, date_to=date_to)
    kinds = dict(Obligation.Kind.choices)
    return {
        "office_id": q.office,
        "company_id": q.company,
        "date_from": date_from,
        "date_to": date_to,
        "total": stats.total,
        "open": stats.open,
        "overdue": stats.overdue,
        "by_state": _rows(stats.by_state, State.choices),
        "by_kind": _rows(stats.by_kind, Kind.choices),
        "by_channel": _rows(stats.by_channel, Channel.choices),
        "by_method": _rows(stats.by_method, Method.choices),
        "by_category": stats.by_category,
        "on_time": [
            {
                "kind": o.kind,
                "label": str(kinds.get(o.kind, o.kind)),
                "decided": o.decided,
                "on_time": o.on_time,
                "rate": o.rate,
            }
            for o in stats.on_time
        ],
        "on_time_rate": stats.on_time_rate,
    }
