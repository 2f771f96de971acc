"""The email channel end to end against a real Dovecot (conftest.py): messages delivered with IMAP APPEND,
read by poll_mailbox, filed through intake. Transactional tests: poll_mailbox marks messages only after
its own commits, so it refuses to run inside a test transaction."""

from __future__ import annotations

import threading
from email.utils import make_msgid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from docket.accounts.models import Role, RoleAssignment
from docket.complaints.models import Channel, Complaint, ComplaintEvent, Method, State
from docket.complaints.services import complaint_close_on_spot
from docket.mailin import services
from docket.mailin.imap import Session, mutf7
from docket.mailin.imap import _quote as imap_quote
from docket.mailin.models import InboundMessage, Mailbox, MailboxRoute
from docket.mailin.services import filing as mailin_filing
from docket.mailin.services import mailboxes_poll, poll_mailbox
from docket.mailin.services import poll as mailin_poll
from docket.notifications.models import Notification

from .mime import EXE, JPEG, PDF, PNG, auto_reply, bounce, complaint_mail, encoded_word, html_only_mail

pytestmark = pytest.mark.usefixtures("transactional_db")  # (named so conftest lifts the flush guard)


def _wrote(complaint) -> list[str]:
    return [
        e.payload["body"]
        for e in ComplaintEvent.objects.filter(complaint=complaint, kind="complainant_wrote").order_by("seq")
    ]


def _notes(complaint) -> list[str]:
    return [
        e.payload["text"]
        for e in ComplaintEvent.objects.filter(complaint=complaint, kind="note_added").order_by("seq")
    ]


def test_gbk_mail_with_photo_becomes_an_email_complaint(mailbox, imap, org):
    imap.deliver(complaint_mail(attachments=[("现场照片.jpg", JPEG, "image", "jpeg")]))

    result = poll_mailbox(mailbox)

    assert (result.created, result.error) == (1, "")
    c = Complaint.objects.get()
    assert (c.method, c.channel, c.office_id) == (Method.EMAIL, Channel.COMPANY, org.a.office.id)
    assert c.subject == "1号楼电梯又坏了"
    assert "老人上下楼很困难" in c.description
    assert (c.complainant_name, c.complainant_email, c.complainant_phone) == (
        "张女士",
        "zhang@example.cn",
        "",
    )
    assert c.receipt_no.startswith("CYY-")
    assert c.received_at.isoformat()  # the server's arrival time (INTERNALDATE)
    att = c.attachments.get()
    assert (att.original_name, att.content_type, att.size) == ("现场照片.jpg", "image/jpeg", len(JPEG))
    assert att.file.read() == JPEG
    mailbox.refresh_from_db()
    registered = ComplaintEvent.objects.get(complaint=c, kind="registered")
    assert registered.actor_id == mailbox.user_id == c.received_by_id
    assert registered.actor_name == "邮件·朝阳园投诉邮箱"
    assert RoleAssignment.objects.filter(user=mailbox.user, role=Role.RECEPTION, office=org.a.office).exists()
    row = InboundMessage.objects.get()
    assert (row.outcome, row.complaint_id, row.attempts, row.from_address) == (
        "created",
        c.id,
        1,
        "zhang@example.cn",
    )
    assert imap.unseen() == 0 and b"\\Seen" in imap.flags()[0]
    assert (mailbox.last_error, mailbox.last_polled_at is not None) == ("", True)


def test_html_only_gb2312_mail_is_reduced_to_text(mailbox, imap):
    imap.deliver(html_only_mail())
    poll_mailbox(mailbox)
    c = Complaint.objects.get()
    assert (c.subject, c.complainant_name) == ("地下车库积水", "李先生")
    assert c.description == "地下车库B区积水严重，已经三天了。\n\n请物业 尽快处理&回复。"


def test_replies_append_to_the_complaint_and_tell_its_holder(mailbox, imap, org):
    first = make_msgid(domain="example.cn")
    imap.deliver(complaint_mail(msgid=first))
    poll_mailbox(mailbox)
    c = Complaint.objects.get()

    second = make_msgid(domain="example.cn")
    imap.deliver(
        complaint_mail(
            msgid=second,
            subject="Re: 1号楼电梯又坏了",
            in_reply_to=first,
            references=first,
            body="今天又停了，附上照片。\n\n------------------ 原始邮件 ------------------\n发件人: 客服\n> 旧内容",
            attachments=[("电梯.png", PNG, "image", "png")],
        )
    )
    # A later reply without thread headers, naming the receipt number in its subject.
    imap.deliver(complaint_mail(subject=f"回复：{c.receipt_no}进展如何？", body="请问什么时候修好？"))
    result = poll_mailbox(mailbox)

    assert (result.created, result.appended) == (0, 2)
    assert Complaint.objects.count() == 1
    notes = _wrote(c)
    assert "今天又停了，附上照片。" in notes[0] and "旧内容" not in notes[0] and "原始邮件" not in notes[0]
    assert "张女士 <zhang@example.cn>" in notes[0]
    assert "请问什么时候修好？" in notes[1]
    assert [a.original_name for a in c.attachments.all()] == ["电梯.png"]
    assert not ComplaintEvent.objects.filter(complaint=c, kind="complainant_wrote", public=True).exists()
    # Nobody holds it yet, so reception hears of it (notices: 顾客回复); the mailbox's own user does not.
    told = Notification.objects.filter(kind="owner_replied", ref=f"complaint:{c.id}")
    assert org.a.users["reception"].id in set(told.values_list("recipient_id", flat=True))
    assert mailbox.user_id not in set(told.values_list("recipient_id", flat=True))
    assert list(InboundMessage.objects.order_by("id").values_list("outcome", "complaint_id")) == [
        ("created", c.id),
        ("appended", c.id),
        ("appended", c.id),
    ]


def test_reply_to_an_ended_complaint_files_a_new_one_that_names_it(mailbox, imap, org, complaint_factory):
    old = complaint_factory()
    complaint_close_on_spot(actor=org.a.users["reception"], complaint_id=old.pk, note="现场已处理，业主满意")
    old.refresh_from_db()
    assert old.state == State.CLOSED
    imap.deliver(complaint_mail(subject=f"关于{old.receipt_no}：问题又出现了", body="电梯又坏了。"))
    poll_mailbox(mailbox)

    new = Complaint.objects.exclude(pk=old.pk).get()
    assert new.method == Method.EMAIL and old.receipt_no in new.description
    row = InboundMessage.objects.get()
    assert (row.outcome, row.complaint_id, row.related_complaint_id) == ("created", new.id, old.id)
    assert new.receipt_no in _notes(old)[0]

    # The next reply in that thread goes to the new complaint, not to the closed one.
    imap.deliver(
        complaint_mail(
            subject=f"Re: 关于{old.receipt_no}", in_reply_to=row.message_id, body="补充：晚上也停。"
        )
    )
    poll_mailbox(mailbox)
    assert Complaint.objects.count() == 2
    assert "补充：晚上也停。" in _wrote(new)[0]


def test_auto_replies_and_bounces_are_not_filed(mailbox, imap):
    imap.deliver(auto_reply())
    imap.deliver(bounce())
    result = poll_mailbox(mailbox)
    assert (result.rejected, result.created) == (2, 0)
    assert not Complaint.objects.exists()
    reasons = list(InboundMessage.objects.order_by("id").values_list("outcome", "reason"))
    assert [o for o, _r in reasons] == ["rejected", "rejected"]
    assert "Auto-Submitted" in reasons[0][1] and "mailer-daemon" in reasons[1][1]
    assert imap.unseen() == 0


def test_duplicate_delivery_and_a_second_poll_file_nothing_twice(mailbox, imap):
    msg = complaint_mail()
    imap.deliver(msg)
    imap.deliver(msg)  # the same message delivered twice (same Message-ID, new UID)
    first = poll_mailbox(mailbox)
    imap.deliver(msg)
    second = poll_mailbox(mailbox)
    third = poll_mailbox(mailbox)

    assert (first.created, first.duplicates, second.created, second.duplicates) == (1, 1, 0, 1)
    assert (third.created, third.duplicates) == (0, 0)
    assert Complaint.objects.count() == 1
    row = InboundMessage.objects.get()
    assert (row.duplicates, row.attempts) == (2, 1)
    assert imap.unseen() == 0


def test_crash_after_commit_before_marking_is_not_filed_again(mailbox, imap, monkeypatch):
    imap.deliver(complaint_mail())
    real = Session.mark_done

    def broken(self, uid, folder=""):
        raise OSError("connection reset")

    monkeypatch.setattr(Session, "mark_done", broken)
    result = poll_mailbox(mailbox)
    assert result.created == 1 and "connection reset" in result.error
    assert imap.unseen() == 1  # recorded, but not marked on the server

    monkeypatch.setattr(Session, "mark_done", real)
    result = poll_mailbox(mailbox)
    assert (result.created, result.duplicates, result.error) == (0, 1, "")
    assert Complaint.objects.count() == 1 and imap.unseen() == 0


def test_two_pollers_at_once_file_each_message_once(mailbox, imap):
    for n in range(6):
        imap.deliver(complaint_mail(subject=f"问题{n}", body=f"第{n}个问题"))
    results, errors = [], []

    def run():
        try:
            results.append(poll_mailbox(Mailbox.objects.get(pk=mailbox.pk)))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == [] and len(results) == 2
    assert [r.error for r in results] == ["", ""]
    assert sum(r.created for r in results) == 6
    assert sorted(Complaint.objects.values_list("subject", flat=True)) == [f"问题{n}" for n in range(6)]
    assert InboundMessage.objects.count() == 6
    assert imap.unseen() == 0


def test_refused_attachments_are_skipped_and_noted(mailbox, imap):
    imap.deliver(
        complaint_mail(
            attachments=[
                ("setup.exe", EXE, "application", "octet-stream"),
                ("投诉信.pdf", PDF, "application", "pdf"),
            ]
        )
    )
    poll_mailbox(mailbox)
    c = Complaint.objects.get()
    assert [a.original_name for a in c.attachments.all()] == ["投诉信.pdf"]
    assert "setup.exe" in _notes(c)[0]
    row = InboundMessage.objects.get()
    assert row.outcome == "created" and [s["name"] for s in row.skipped_attachments] == ["setup.exe"]


def test_bad_login_is_recorded_on_the_mailbox_without_crashing(mailbox, imap):
    imap.deliver(complaint_mail())
    mailbox.password = "wrong"
    mailbox.save()
    results = mailboxes_poll()
    mailbox.refresh_from_db()
    assert len(results) == 1 and results[0].error
    assert "AUTHENTICATIONFAILED" in mailbox.last_error or "Authentication failed" in mailbox.last_error
    assert mailbox.last_error_at is not None and not Complaint.objects.exists()
    assert imap.unseen() == 1

    # Unreachable server: recorded too.
    mailbox.port = 1
    mailbox.password = "kefu-secret"
    mailbox.save()
    assert poll_mailbox(mailbox).error
    mailbox.refresh_from_db()
    assert "ConnectionRefusedError" in mailbox.last_error

    # Fixed: the error is cleared and the message filed.
    mailbox.port = imap.server.port
    mailbox.save()
    assert poll_mailbox(mailbox).created == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


def test_an_unexpected_failure_is_recorded_and_retried(mailbox, imap, monkeypatch):
    imap.deliver(complaint_mail())

    def boom(*args, **kwargs):
        raise RuntimeError("storage offline")

    monkeypatch.setattr(mailin_filing, "complaint_register", boom)
    result = poll_mailbox(mailbox)
    row = InboundMessage.objects.get()
    assert (result.errors, row.outcome, row.attempts) == (1, "error", 1)
    assert "storage offline" in row.reason and imap.unseen() == 1
    mailbox.refresh_from_db()
    assert mailbox.last_error

    monkeypatch.undo()
    assert poll_mailbox(mailbox).created == 1
    row.refresh_from_db()
    assert (row.outcome, row.attempts) == ("created", 2) and imap.unseen() == 0


def test_gives_up_after_max_attempts_and_marks_the_message(mailbox, imap, monkeypatch):
    imap.deliver(complaint_mail())
    monkeypatch.setattr(mailin_filing, "complaint_register", lambda **kw: 1 / 0)
    for _ in range(services.MAX_ATTEMPTS):
        poll_mailbox(mailbox)
    row = InboundMessage.objects.get()
    assert (row.outcome, row.attempts) == ("error", services.MAX_ATTEMPTS)
    assert imap.unseen() == 0
    poll_mailbox(mailbox)
    row.refresh_from_db()
    assert row.attempts == services.MAX_ATTEMPTS


def test_processed_messages_move_to_the_processed_folder(mailbox, imap):
    mailbox.processed_folder = f"{imap.folder}/done"
    mailbox.save()
    imap.deliver(complaint_mail())
    imap.deliver(auto_reply())
    poll_mailbox(mailbox)
    assert imap.count() == 0 and imap.count(mailbox.processed_folder) == 2


def test_chinese_folder_names_and_a_processed_folder_created_on_first_use(mailbox, imap):
    inbox, done = f"{imap.folder}/投诉 & 建议", f"{imap.folder}/已处理"
    imap.conn.create(imap_quote(inbox))
    Mailbox.objects.filter(pk=mailbox.pk).update(folder=inbox, processed_folder=done)
    mailbox.refresh_from_db()
    imap.deliver(complaint_mail(), folder=mutf7(inbox))
    assert (poll_mailbox(mailbox).created, mailbox.last_error) == (1, "")
    assert imap.count(mutf7(inbox)) == 0 and imap.count(mutf7(done)) == 1


def test_recipient_routes_file_into_the_routed_office(mailbox, imap, org):
    MailboxRoute.objects.create(mailbox=mailbox, address="lxy@wuye.example", office=org.b.office)
    imap.deliver(complaint_mail(to=f"{encoded_word('丽雅苑客服')} <LXY@wuye.example>"))
    # Python's compat32 encodes a whole non-ASCII "name <address>" as one word; still routed.
    imap.deliver(complaint_mail(to="丽雅苑客服 <lxy@wuye.example>"))
    # A third mail with the same text from the same sender on the same day would be refused (R-EXP-4).
    imap.deliver(complaint_mail(to="kefu@cyy.example", body="您好，地下车库照明坏了两周了。"))
    poll_mailbox(mailbox)
    assert sorted(Complaint.objects.values_list("office__code", flat=True)) == ["CYY", "LXY", "LXY"]
    mailbox.refresh_from_db()
    offices = set(RoleAssignment.objects.filter(user=mailbox.user).values_list("role", "office__code"))
    assert offices == {(Role.RECEPTION, "CYY"), (Role.RECEPTION, "LXY")}

    MailboxRoute.objects.all().delete()
    services.mailbox_user_ensure(mailbox)
    offices = set(RoleAssignment.objects.filter(user=mailbox.user).values_list("office__code", flat=True))
    assert offices == {"CYY"}


def test_mail_from_the_mailbox_itself_is_not_filed(mailbox, imap):
    imap.deliver(complaint_mail(sender=("客服", "kefu@cyy.example")))
    assert poll_mailbox(mailbox).rejected == 1
    assert not Complaint.objects.exists()


def test_management_command(mailbox, imap, capsys):
    imap.deliver(complaint_mail())
    call_command("mailin_poll")
    assert "新投诉 1" in capsys.readouterr().out
    Mailbox.objects.filter(pk=mailbox.pk).update(password="wrong")
    with pytest.raises(CommandError):
        call_command("mailin_poll", "--mailbox", mailbox.name)
    with pytest.raises(CommandError):
        call_command("mailin_poll", "--mailbox", "没有这个邮箱")


def test_poll_refuses_to_run_inside_a_transaction(mailbox):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError):
        poll_mailbox(mailbox)


def test_periodic_job_survives_a_mailbox_that_blows_up(mailbox, imap, org, monkeypatch):
    from config import jobs

    broken = Mailbox.objects.create(
        name="坏邮箱",
        office=org.b.office,
        host="127.0.0.1",
        port=imap.server.port,
        security=Mailbox.Security.NONE,
        username="kefu",
        password="kefu-secret",
        folder=imap.folder,
    )
    imap.deliver(complaint_mail())
    real = mailin_poll.poll_mailbox

    def poll(box, **kw):
        if box.pk == broken.pk:
            raise RuntimeError("unexpected")
        return real(box, **kw)

    monkeypatch.setattr(mailin_poll, "poll_mailbox", poll)
    jobs.poll_complaint_mailboxes.call_local()  # never raises
    assert Complaint.objects.get().office_id == org.a.office.id
    broken.refresh_from_db()
    assert broken.last_error == "RuntimeError: unexpected"


def test_a_message_the_parser_chokes_on_does_not_block_the_rest(mailbox, imap, monkeypatch):
    real = mailin_poll.parse_message
    imap.deliver(complaint_mail(subject="坏邮件"))
    imap.deliver(complaint_mail(subject="好邮件"))

    def parse(raw):
        if "坏邮件".encode() in raw or b"5Z2P6YKu5Lu2" in raw:  # the bad one's subject, base64
            raise ValueError("broken MIME")
        return real(raw)

    monkeypatch.setattr(mailin_poll, "parse_message", parse)
    result = poll_mailbox(mailbox)
    assert (result.rejected, result.created, result.error) == (1, 1, "")
    rejected = InboundMessage.objects.get(outcome="rejected")
    assert "broken MIME" in rejected.reason and rejected.message_id.startswith("<sha256-")
    assert Complaint.objects.get().subject == "好邮件" and imap.unseen() == 0


def test_nul_characters_are_dropped(mailbox, imap):
    imap.deliver(complaint_mail(subject="水\x00管", body="漏\x00水", body_charset="utf-8"))
    assert poll_mailbox(mailbox).created == 1
    c = Complaint.objects.get()
    assert (c.subject, c.description) == ("水管", "漏水")


def test_a_message_sent_to_two_company_mailboxes_is_filed_once(mailbox, imap, org):
    other = Mailbox.objects.create(
        name="公司总邮箱",
        office=org.b.office,
        host=imap.server.host,
        port=imap.server.port,
        security=Mailbox.Security.NONE,
        username="kefu",
        password="kefu-secret",
        folder=f"{imap.folder}/done",
    )
    msg = complaint_mail()
    imap.deliver(msg)
    imap.deliver(msg, folder=other.folder)
    assert poll_mailbox(mailbox).created == 1
    assert poll_mailbox(other).rejected == 1
    c = Complaint.objects.get()
    assert c.receipt_no in InboundMessage.objects.get(mailbox=other).reason


def test_admin_action_polls_now(mailbox, imap, admin_client):
    imap.deliver(complaint_mail())
    r = admin_client.post(
        "/admin/mailin/mailbox/", {"action": "poll_now", "_selected_action": [mailbox.pk]}, follow=True
    )
    assert r.status_code == 200 and "新投诉 1" in r.content.decode()
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"security": Mailbox.Security.SSL}, "SSL"),  # TLS handshake against a plaintext port
        ({"security": Mailbox.Security.STARTTLS}, "STARTTLS"),  # our test server offers no TLS
        ({"folder": "没有这个文件夹"}, "SELECT"),
    ],
)
def test_connection_settings_errors_are_recorded(mailbox, imap, change, expected):
    Mailbox.objects.filter(pk=mailbox.pk).update(**change)
    mailbox.refresh_from_db()
    result = poll_mailbox(mailbox)
    mailbox.refresh_from_db()
    assert expected in result.error and expected in mailbox.last_error


def test_password_from_the_environment(mailbox, imap, monkeypatch):
    Mailbox.objects.filter(pk=mailbox.pk).update(password="env:DOCKET_TEST_MAILBOX_PASSWORD")
    mailbox.refresh_from_db()
    imap.deliver(complaint_mail())
    assert poll_mailbox(mailbox).error  # not set yet
    monkeypatch.setenv("DOCKET_TEST_MAILBOX_PASSWORD", "kefu-secret")
    assert poll_mailbox(mailbox).created == 1


def test_the_same_mail_a_third_time_in_a_day_is_refused(mailbox, imap, settings):
    """R-EXP-4 through the inbox: the same text from the same address at most twice a day; the third is
    recorded as rejected with the reason, and nothing is filed."""
    settings.DOCKET_SAME_TEXT_PER_DAY = 2
    for i in range(3):
        imap.deliver(complaint_mail(msgid=f"<same-{i}@example.cn>"))
    result = poll_mailbox(mailbox)
    assert (result.created, result.rejected) == (2, 1)
    assert Complaint.objects.count() == 2
    rejected = InboundMessage.objects.get(outcome="rejected")
    assert "重复提交" in rejected.reason
