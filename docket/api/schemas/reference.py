"""Reference data and the public receipt view."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field


class CategoryOut(Schema):
    id: int
    company_id: int
    parent_id: int | None
    name: str
    path: str = Field(description="parent / name")
    developer_related: bool
    active: bool


class OfficeOut(Schema):
    id: int
    code: str
    name: str
    company_id: int
    community: str | None
    phone: str


class CommunityOut(Schema):
    id: int
    name: str
    address: str


class OfficeDetail(OfficeOut):
    community_detail: CommunityOut | None


class UnitOut(Schema):
    id: int
    name: str


class BuildingOut(Schema):
    id: int
    name: str
    units: list[UnitOut]


class RoomOut(Schema):
    id: int
    building_id: int
    building: str
    unit_id: int
    unit: str
    number: str
    label: str = Field(description="building + unit + number, as printed on the record")


class RoomPage(Schema):
    items: list[RoomOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class DepartmentOut(Schema):
    id: int
    company_id: int
    office_id: int | None = Field(description="null for a company-level department (QM, general office …)")
    kind: str
    kind_label: str
    name: str
    path: str = Field(description="office or company · name")


class PublicIssue(Schema):
    seq: int
    summary: str
    state: str
    state_label: str


class PublicEvent(Schema):
    seq: int
    kind: str
    label: str
    at: datetime
    text: str = Field(description="what the complainant is told at this step (reply, reason …), or empty")


class ReceiptOut(Schema):
    """What the complainant may see with the receipt number and phone or check code: no personal data,
    no internal notes, no staff names."""

    receipt_no: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    office: str
    community: str
    subject: str
    received_at: datetime
    closed_at: datetime | None
    issues: list[PublicIssue]
    timeline: list[PublicEvent]
    receipt_digest: str = Field(description="the registration event's hash printed on the receipt")
