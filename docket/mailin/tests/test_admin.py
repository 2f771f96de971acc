"""Admin: the mailbox password is write-only; the message log is read-only."""

from __future__ import annotations

from docket.mailin.models import InboundMessage, Mailbox


def _form(org, **kw):
    data = {
        "name": "公司投诉邮箱",
        "address": "kefu@wuye.example",
        "office": org.a.office.id,
        "channel": "company",
        "active": "on",
        "host": "imap.wuye.example",
        "port": "993",
        "security": "ssl",
        "username": "kefu@wuye.example",
        "password": "s3cret-pw",
        "folder": "INBOX",
        "processed_folder": "",
        "routes-TOTAL_FORMS": "1",
        "routes-INITIAL_FORMS": "0",
        "routes-MIN_NUM_FORMS": "0",
        "routes-MAX_NUM_FORMS": "1000",
        "routes-0-address": "LXY@wuye.example",
        "routes-0-office": org.b.office.id,
    }
    return {**data, **kw}


def test_mailbox_password_is_never_shown_and_kept_when_left_empty(org, admin_client):
    r = admin_client.post("/admin/mailin/mailbox/add/", _form(org))
    assert r.status_code == 302, r.content.decode()[:3000]
    box = Mailbox.objects.get()
    assert box.password == "s3cret-pw"
    assert box.user is not None and box.user.display_name == "邮件·公司投诉邮箱"
    assert set(box.user.roles.values_list("role", "office_id")) == {
        ("reception", org.a.office.id),
        ("reception", org.b.office.id),
    }
    assert box.routes.get().address == "lxy@wuye.example"

    page = admin_client.get(f"/admin/mailin/mailbox/{box.pk}/change/").content.decode()
    assert "s3cret-pw" not in page and "邮箱地址" in page
    route = box.routes.get()
    r = admin_client.post(
        f"/admin/mailin/mailbox/{box.pk}/change/",
        _form(
            org,
            password="",
            port="143",
            **{"routes-INITIAL_FORMS": "1", "routes-0-id": route.pk, "routes-0-mailbox": box.pk},
        ),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    box.refresh_from_db()
    assert (box.password, box.port) == ("s3cret-pw", 143)


def test_mailbox_needs_a_password_when_added(org, admin_client):
    r = admin_client.post("/admin/mailin/mailbox/add/", _form(org, password=""))
    assert r.status_code == 200 and not Mailbox.objects.exists()


def test_route_office_must_belong_to_the_company(org, admin_client):
    from docket.org.models import Office

    other = Office.objects.create(
        company=org.other_company_qm.roles.get().company, name="别家管理处", code="OTH"
    )
    r = admin_client.post("/admin/mailin/mailbox/add/", _form(org, **{"routes-0-office": other.id}))
    assert r.status_code == 200 and not Mailbox.objects.exists()


def test_inbound_messages_are_read_only(org, admin_client):
    from docket.core import clock

    box = Mailbox.objects.create(name="m", office=org.a.office, host="h", username="u", password="p")
    msg = InboundMessage.objects.create(
        mailbox=box,
        message_id="<x@y>",
        uidvalidity=1,
        uid=1,
        received_at=clock.now(),
        processed_at=clock.now(),
        outcome="rejected",
        reason="自动回复",
    )
    assert admin_client.get("/admin/mailin/inboundmessage/").status_code == 200
    page = admin_client.get(f"/admin/mailin/inboundmessage/{msg.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get("/admin/mailin/inboundmessage/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/mailin/inboundmessage/{msg.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
