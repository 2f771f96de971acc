"""The body of `POST /complaints`: the fields of `complaints.services.ComplaintInput` (R-INT-4), with the
length limits the intake page has too (`complaints.services.inputs`)."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Literal, TypeAlias

from pydantic import Field, field_validator

from docket.complaints.models import Channel, ComplainantType, Kind, Method
from docket.complaints.services import ComplaintInput, CoSignerInput, IssueInput, UploadInput
from docket.complaints.services import inputs as limits

from .common import ApiDateTime, Id, InputSchema, invalid

# Choices as enums, so clients (and Schemathesis) see the allowed values. Made from the model's choices at
# run time, which a type checker cannot read: to it they are plain strings.
if TYPE_CHECKING:
    KindValue: TypeAlias = str
    ChannelValue: TypeAlias = str
    MethodValue: TypeAlias = str
    ComplainantTypeValue: TypeAlias = str
else:
    KindValue = Literal[tuple(Kind.values)]
    ChannelValue = Literal[tuple(Channel.values)]
    MethodValue = Literal[tuple(Method.values)]
    ComplainantTypeValue = Literal[("", *ComplainantType.values)]  # seed3 (issue 15)


class IssueIn(InputSchema):
    summary: str = Field(max_length=limits.ISSUE_MAX)
    category_id: Id | None = None


class CoSignerIn(InputSchema):
    name: str = Field(max_length=limits.NAME_MAX)
    room: str = Field("", max_length=limits.NAME_MAX)
    phone: str = Field("", max_length=limits.PHONE_MAX)


class AttachmentIn(InputSchema):
    name: str = Field(min_length=1, max_length=200)
    content_base64: str = Field(description="the file, base64-encoded (images JPG/PNG/GIF/WEBP or PDF)")

    def content(self) -> bytes:
        try:
            return base64.b64decode(self.content_base64, validate=True)
        except (binascii.Error, ValueError) as exc:  # pragma: no cover - checked by the validator
            raise invalid("invalid_base64") from exc

    @field_validator("content_base64")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise invalid("invalid_base64") from exc
        return value


class ComplaintIn(InputSchema):
    """A new complaint, suggestion or inquiry. Anonymous, or with the complainant's surname and phone."""

    office_id: Id
    channel: ChannelValue
    method: MethodValue
    kind: KindValue = "complaint"
    subject: str = Field(max_length=limits.SUBJECT_MAX)
    description: str = Field(max_length=limits.TEXT_MAX)
    anonymous: bool = False
    complainant_name: str = Field("", max_length=limits.NAME_MAX)
    complainant_phone: str = Field("", max_length=limits.PHONE_MAX)
    complainant_address: str = Field("", max_length=limits.ADDRESS_MAX)
    complainant_email: str = Field(
        "",
        max_length=limits.EMAIL_MAX,
        description="updates by email; with method email it may replace the phone",
    )
    room_id: Id | None = None
    # seed part 2 (issue 15, R-ORG-2)
    building_id: Id | None = Field(
        None, description="a building of the office's community (a whole-building matter)"
    )
    unit_id: Id | None = Field(None, description="a unit of the office's community")
    public_area_id: Id | None = Field(
        None, description="a public area of the office's community (gate, car park, garden, clubhouse …)"
    )
    location: str = Field("", max_length=limits.ADDRESS_MAX)
    people_count: int = Field(1, ge=1, le=limits.PEOPLE_MAX)
    complainant_type: ComplainantTypeValue = Field(
        "", description="owner, tenant, visitor, staff or other (seed3, issue 15); empty when not asked"
    )
    demand: str = Field("", max_length=limits.TEXT_MAX)
    issues: list[IssueIn] = Field(default_factory=list, max_length=limits.ISSUES_MAX_COUNT)
    cosigners: list[CoSignerIn] = Field(default_factory=list, max_length=limits.COSIGNERS_MAX_COUNT)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=limits.ATTACHMENTS_MAX_COUNT)
    lawsuit_filed: bool = False
    media_exposed: bool = False
    legal_or_media_risk: bool = False
    developer_related: bool = False
    compensation_claimed: bool = False
    home_return_requested: bool = False
    sensitive: bool = False
    forwarded_by_id: Id | None = Field(None, description="the government body or developer that forwarded it")
    forwarder_ref: str = Field("", max_length=limits.REF_MAX, description="the forwarder's reference number")
    forwarder_due_at: ApiDateTime | None = Field(None, description="the forwarder's own reply deadline")
    received_at: ApiDateTime | None = Field(
        None,
        description="when it really arrived; default now. Later than now by more than "
        "DOCKET_RECEIVED_SKEW_MINUTES (5) is refused (422 `received_in_future`); before today "
        "needs `received_reason` (422 `received_reason_required`). Deadlines run from it.",
    )
    received_reason: str = Field(
        "",
        max_length=limits.RECEIVED_REASON_MAX,
        description="why it is recorded late (a letter received earlier): required when received_at "
        "is before today; kept in the registration event",
    )
    close_on_spot_note: str | None = Field(
        None,
        max_length=limits.ACTION_INPUTS["close_on_spot"]["note"].limit,
        description="resolved at intake with the complainant's confirmed satisfaction: recorded and closed",
    )

    def to_input(self) -> ComplaintInput:
        data = self.model_dump(exclude={"issues", "cosigners", "attachments", "close_on_spot_note"})
        return ComplaintInput(
            **data,
            issues=[IssueInput(summary=i.summary, category_id=i.category_id) for i in self.issues],
            cosigners=[CoSignerInput(name=s.name, room=s.room, phone=s.phone) for s in self.cosigners],
            attachments=[UploadInput(name=a.name, content=a.content()) for a in self.attachments],
        )
