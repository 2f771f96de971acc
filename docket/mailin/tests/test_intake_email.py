"""Intake accepts the sender's address as the contact of an email complaint (the change the email
channel needed in complaints/services/intake.py)."""

from __future__ import annotations

import pytest

from docket.complaints.models import Channel, Method
from docket.complaints.services import ComplaintInput, complaint_register
from docket.core.errors import DomainError


def _data(org, **kw):
    base = dict(
        office_id=org.a.office.id,
        channel=Channel.COMPANY,
        method=Method.EMAIL,
        subject="噪音扰民",
        description="楼上装修噪音到晚上十点。",
        complainant_name="赵",
    )
    return ComplaintInput(**{**base, **kw})


def test_intake_email_complaint_with_an_address_and_no_phone(org):
    c = complaint_register(
        actor=org.a.users["reception"], data=_data(org, complainant_email="zhao@example.cn")
    ).complaint
    assert (c.complainant_phone, c.complainant_email, c.complainant_address) == ("", "zhao@example.cn", "")


def test_intake_email_contact_does_not_replace_the_phone_for_other_methods(org):
    with pytest.raises(DomainError) as err:
        complaint_register(
            actor=org.a.users["reception"],
            data=_data(org, method=Method.PHONE, complainant_email="zhao@example.cn"),
        )
    assert err.value.code == "required"


def test_intake_email_address_is_validated_and_address_wins(org):
    with pytest.raises(DomainError):
        complaint_register(actor=org.a.users["reception"], data=_data(org, complainant_email="不是邮箱"))
    c = complaint_register(
        actor=org.a.users["reception"],
        data=_data(
            org,
            complainant_email="zhao@example.cn",
            complainant_address="3号楼201",
            complainant_phone="13900000000",
        ),
    ).complaint
    assert (c.complainant_address, c.complainant_email) == ("3号楼201", "zhao@example.cn")
