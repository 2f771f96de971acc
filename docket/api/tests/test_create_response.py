"""`POST /complaints` answers with the record rendered from the rows intake just wrote (no read-back);
it must be exactly what `GET /complaints/{id}` answers a moment later."""

from __future__ import annotations

import base64

import pytest

from docket.complaints.tests.helpers import PNG

pytestmark = pytest.mark.django_db


def _body(org, **over):
    body = {
        "office_id": org.a.office.id,
        "channel": "online",
        "method": "online",
        "subject": "3号楼电梯停运",
        "description": "3号楼2单元电梯从昨晚起停运。",
        "complainant_name": "王",
        "complainant_phone": "13800000001",
        "room_id": org.a.room.id,
        "issues": [
            {"summary": "电梯停运", "category_id": org.categories["电梯"].id},
            {"summary": "无人通知"},
        ],
    }
    body.update(over)
    return body


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {
            "people_count": 3,
            "cosigners": [{"name": "李", "room": "102"}, {"name": "张"}],
            "attachments": [{"name": "现场.png", "content_base64": base64.b64encode(PNG).decode()}],
        },
        {
            "method": "government_forward",
            "channel": "government",
            "forwarder_ref": "12345-1",
            "forwarder_due_at": "2099-01-01T10:00:00+08:00",
        },
        {"close_on_spot_note": "已现场处理，业主满意", "method": "visit", "channel": "office"},
    ],
)
def test_create_answers_what_get_answers(org, api_a, extra):
    if extra.get("method") == "government_forward":
        from docket.org.models import ExternalParty

        extra = {
            **extra,
            "forwarded_by_id": ExternalParty.objects.create(group=org.group, kind="hotline", name="12345").id,
        }
    created = api_a.post("/complaints", _body(org, **extra))
    assert created.status_code == 201, created.json()
    read = api_a.get(f"/complaints/{created.json()['id']}")
    assert created.json() == read.json()
