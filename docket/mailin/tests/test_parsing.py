"""Parsing Chinese mail, without a server or a database."""

from __future__ import annotations

import base64

from docket.mailin.parsing import decode_bytes, header_text, html_to_text, parse_message, strip_quoted

from .mime import JPEG, complaint_mail


def test_gb2312_label_with_gbk_only_characters_decodes_as_gb18030():
    # 镕 and 喆 are GBK but not GB2312; mailers still label such text gb2312.
    text = "朱镕基 陶喆 投诉"
    assert decode_bytes(text.encode("gbk"), "gb2312") == text
    assert decode_bytes(text.encode("gbk"), "GB2312") == text
    assert decode_bytes(text.encode("gb18030"), None) == text  # no label: UTF-8 fails, GB18030 reads it
    assert decode_bytes(b"\xff\xfe\xfa", "no-such-charset")  # unknown label: still text


def test_encoded_words_in_every_charset():
    b64 = base64.b64encode("物业费太高".encode("gbk")).decode()
    assert header_text(f"=?GBK?B?{b64}?=") == "物业费太高"
    assert header_text("=?gb2312?Q?=CE=EF=D2=B5?=") == "物业"
    assert header_text("=?utf-8?q?=E6=8A=95=E8=AF=89?= =?utf-8?q?=E4=BF=A1?=") == "投诉信"
    assert header_text("=?gb18030?B?" + base64.b64encode("镕".encode("gb18030")).decode() + "?=") == "镕"


def test_raw_8bit_gbk_headers_are_decoded():
    raw = (
        b"From: "
        + "王先生".encode("gbk")
        + b" <wang@example.cn>\r\n"
        + b"Subject: "
        + "车库漏水".encode("gbk")
        + b"\r\nMessage-ID: <a@b>\r\n"
        + b"Content-Type: text/plain\r\n\r\n"
        + "车库B区漏水".encode("gbk")
        + b"\r\n"
    )
    mail = parse_message(raw)
    assert (mail.from_name, mail.from_address, mail.subject) == ("王先生", "wang@example.cn", "车库漏水")
    assert mail.body == "车库B区漏水"


def test_multipart_mail_fields():
    msg = complaint_mail(
        msgid="<m1@example.cn>",
        in_reply_to="<p@x>",
        references="<r1@x> <r2@x>",
        attachments=[("照片.jpg", JPEG, "image", "jpeg")],
    )
    mail = parse_message(msg.as_bytes())
    assert mail.message_id == "<m1@example.cn>"
    assert mail.thread_ids == ["<p@x>", "<r2@x>", "<r1@x>"]
    assert (mail.from_name, mail.subject, mail.auto_reason) == ("张女士", "1号楼电梯又坏了", "")
    assert mail.body.startswith("您好，1号楼2号电梯")
    assert [(a.name, a.content, a.declared_type) for a in mail.attachments] == [
        ("照片.jpg", JPEG, "image/jpeg")
    ]
    assert mail.sent_at.isoformat() == "2026-11-27T01:02:03+00:00"


def test_missing_message_id_is_keyed_by_content():
    raw = b"From: a@b.cn\r\nSubject: x\r\n\r\nbody\r\n"
    assert parse_message(raw).message_id == parse_message(raw).message_id
    assert parse_message(raw).message_id != parse_message(raw + b"more").message_id


def test_receipt_numbers_next_to_chinese_text():
    msg = complaint_mail(subject="回复：CYY-20261127-0007进展？另见lxy-20261101-0012")
    assert parse_message(msg.as_bytes()).receipt_numbers == ["CYY-20261127-0007", "LXY-20261101-0012"]
    assert (
        parse_message(complaint_mail(subject="电话13800000001-20261127-0001").as_bytes()).receipt_numbers
        == []
    )


def test_automatic_messages_are_recognised():
    def reason(**headers):
        return parse_message(
            complaint_mail(
                extra_headers=headers, **({"subject": headers.pop("subject")} if "subject" in headers else {})
            ).as_bytes()
        ).auto_reason

    assert reason() == ""
    assert reason(**{"Auto-Submitted": "no"}) == ""
    assert reason(**{"Auto-Submitted": "auto-generated"})
    assert reason(**{"X-Autoreply": "yes"})
    assert reason(**{"Precedence": "bulk"})
    assert reason(**{"X-Spam-Flag": "YES"})
    assert reason(subject="自动回复：您的来信已收到")
    assert reason(subject="Automatic reply: 投诉")
    assert reason(subject="自动回复功能坏了") == ""  # a resident writing about an auto-reply is not one


def test_html_to_text_and_quote_stripping():
    assert html_to_text("<p>一</p><script>x()</script><div>二&amp;三</div>") == "一\n\n二&三"
    reply = "好的，谢谢。\n\n在 2026年11月27日 10:00，客服 写道：\n> 已派工程部处理"
    assert strip_quoted(reply) == "好的，谢谢。"
    assert strip_quoted("新内容\n-----Original Message-----\nFrom: x") == "新内容"
    assert strip_quoted("> 只有引用") == "> 只有引用"  # nothing new: keep it all rather than nothing


def _with_attachment(disposition: bytes) -> bytes:
    photo = base64.b64encode(JPEG)
    return (
        b"From: a@b.cn\r\nSubject: x\r\nMessage-ID: <z@y>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=BB\r\n\r\n--BB\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"hi\r\n--BB\r\nContent-Type: image/jpeg\r\n"
        + disposition
        + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + photo
        + b"\r\n--BB--\r\n"
    )


def test_chinese_attachment_names_however_they_are_encoded():
    encoded = base64.b64encode("现场照片.jpg".encode("gb2312")).decode()
    cases = {
        f'Content-Disposition: attachment; filename="=?gb2312?B?{encoded}?="'.encode(): "现场照片.jpg",  # Outlook/Foxmail
        b'Content-Disposition: attachment; filename="'
        + "现场照片.jpg".encode("gbk")
        + b'"': "现场照片.jpg",  # raw 8-bit
        b"Content-Disposition: attachment; filename*=gbk''%CF%D6%B3%A1.jpg": "现场.jpg",  # RFC 2231
        b"Content-Disposition: inline": "附件1.jpeg",  # no name at all
        b'Content-Disposition: attachment; filename="C:\\\\Users\\\\me\\\\a.jpg"': "a.jpg",  # no paths
    }
    for disposition, name in cases.items():
        mail = parse_message(_with_attachment(disposition))
        assert [(a.name, a.content) for a in mail.attachments] == [(name, JPEG)], disposition


def test_folder_names_in_modified_utf7():
    from docket.mailin.imap import mutf7

    assert mutf7("INBOX") == "INBOX"
    assert mutf7("已处理") == "&XfJZBHQG-"
    assert mutf7("投诉 & 建议/2026") == "&YpWLyQ- &- &XvqLrg-/2026"


def test_an_encoded_line_break_in_the_subject_is_collapsed():
    encoded = base64.b64encode("水管漏水\r\nBcc: x@evil.example\n三楼".encode()).decode()
    raw = (
        b"From: wang@example.cn\r\nSubject: =?UTF-8?B?" + encoded.encode() + b"?=\r\n"
        b"Message-ID: <crlf@b>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
    )
    assert parse_message(raw).subject == "水管漏水 Bcc: x@evil.example 三楼"
