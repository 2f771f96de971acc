"""R-EXP-4 abuse limits on self-service filings."""

import pytest


def test_self_service_filings_are_limited_per_contact_and_text(org, complaint_factory, settings):
    """R-EXP-4: online and email filings per phone and day are capped, and the same text at most twice;
    the refusal leaves nothing behind. Staff-recorded phone complaints are not limited."""
    from docket.complaints.models import Complaint, Method
    from docket.core.errors import DomainError

    settings.DOCKET_FILINGS_PER_DAY = 3
    settings.DOCKET_SAME_TEXT_PER_DAY = 2
    online = dict(method=Method.ONLINE, channel="online", complainant_phone="13911112222")
    complaint_factory(**online, description="楼道灯坏了")
    complaint_factory(**online, description="楼道灯坏了")
    with pytest.raises(DomainError) as e:
        complaint_factory(**online, description="楼道灯坏了")
    assert e.value.code == "duplicate_filing"
    complaint_factory(**online, description="垃圾未清运")
    before = Complaint.objects.count()
    with pytest.raises(DomainError) as e:
        complaint_factory(**online, description="又一件事")
    assert e.value.code == "filing_limit" and e.value.status == 429
    assert Complaint.objects.count() == before
    complaint_factory(complainant_phone="13911112222", description="楼道灯坏了")  # phone, staff-recorded
    complaint_factory(
        **{**online, "complainant_phone": "13933334444"}, description="又一件事"
    )  # another owner
