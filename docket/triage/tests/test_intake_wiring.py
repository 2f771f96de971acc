"""The intake page carries the suggestion box, and filing records what was suggested (issue 12, triage)."""

import pytest
from django.urls import reverse

from docket.triage.models import TriageFeedback

pytestmark = pytest.mark.django_db


def test_the_intake_page_offers_suggestions_and_filing_records_the_feedback(client, org):
    client.force_login(org.a.users["reception"])
    page = client.get(reverse("complaints:new")).content.decode()
    assert 'id="triage-box"' in page and reverse("triage:suggest") in page and "triage.js" in page
    category = org.categories["电梯"]
    r = client.post(
        reverse("complaints:new"),
        {
            "office": org.a.office.id,
            "kind": "complaint",
            "channel": "office",
            "method": "phone",
            "complainant_phone": "13900001111",
            "complainant_name": "李",
            "room": org.a.room.id,
            "people_count": 1,
            "subject": "电梯困人",
            "description": "1号楼电梯停在两层之间",
            "issues": "电梯困人",
            "category": category.id,
            "triage_source": "rules-1",
            "triage_category": str(category.id),
        },
    )
    assert r.status_code == 302
    row = TriageFeedback.objects.get()
    assert row.model_version == "rules-1" and row.suggested_category_id == category.id
