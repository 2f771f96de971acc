"""Real MIME messages as Chinese residents' mail clients send them, built with the email package."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

from docket.core.testing.images import JPEG, PNG  # noqa: F401 - real tiny images (attachments are decoded)

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def encoded_word(text: str, charset: str = "UTF-8") -> str:
    """An RFC 2047 B-encoded word with the charset label real clients write (Python would write
    `eucgb2312_cn` for GB2312)."""
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def complaint_mail(
    *,
    subject="1号楼电梯又坏了",
    body="您好，1号楼2号电梯本周停运三次，老人上下楼很困难，请尽快维修。\n联系电话：13800000001",
    sender=("张女士", "zhang@example.cn"),
    to="kefu@cyy.example",
    msgid=None,
    attachments=(),
    in_reply_to=None,
    references=None,
    body_charset="gbk",
    extra_headers=None,
) -> MIMEMultipart:
    """A multipart/mixed message: a GBK base64 text/plain body, a base64 UTF-8 subject, a From name
    encoded in GBK, and the given attachments ((name, bytes, maintype, subtype))."""
    msg = MIMEMultipart()
    msg["From"] = f"{encoded_word(sender[0], 'GBK')} <{sender[1]}>"
    msg["To"] = to
    msg["Subject"] = encoded_word(subject)
    msg["Date"] = format_datetime(datetime(2026, 11, 27, 1, 2, 3, tzinfo=UTC))
    msg["Message-ID"] = msgid or make_msgid(domain="example.cn")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (extra_headers or {}).items():
        msg[name] = value
    text = MIMEText(body, "plain", body_charset)
    msg.attach(text)
    for name, content, maintype, subtype in attachments:
        part: MIMEImage | MIMEApplication
        if maintype == "image":
            part = MIMEImage(content, _subtype=subtype)
        else:
            part = MIMEApplication(content, _subtype=subtype)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", name))
        msg.attach(part)
    return msg


def html_only_mail(*, msgid=None) -> MIMEText:
    """An HTML-only message in GB2312 (quoted-printable body, B-encoded GB2312 headers), as webmail
    sends a formatted message."""
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>地下车库B区积水<b>严重</b>，"
        "已经三天了。</p><div>请物业&nbsp;尽快处理&amp;回复。</div></body></html>"
    )
    charset = Charset("gb2312")
    charset.body_encoding = QP
    msg = MIMEText(html, "html", charset)  # type: ignore[arg-type]  # a Charset is accepted
    msg["From"] = f"{encoded_word('李先生', 'gb2312')} <li@example.cn>"
    msg["To"] = "kefu@cyy.example"
    msg["Subject"] = encoded_word("地下车库积水", "gb2312")
    msg["Message-ID"] = msgid or make_msgid(domain="example.cn")
    return msg


def auto_reply(*, in_reply_to=None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "王先生 <wang@example.cn>"
    msg["To"] = "kefu@cyy.example"
    msg["Subject"] = "自动回复: 您的投诉已收到"
    msg["Auto-Submitted"] = "auto-replied"
    msg["Message-ID"] = make_msgid(domain="example.cn")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    msg.set_content("我正在休假，11月30日回来。")
    return msg


def bounce() -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Mail Delivery System <MAILER-DAEMON@mx.example.cn>"
    msg["To"] = "kefu@cyy.example"
    msg["Subject"] = "Undelivered Mail Returned to Sender"
    msg["Message-ID"] = make_msgid(domain="mx.example.cn")
    msg.set_content("This is the mail system at host mx.example.cn.\nI'm sorry to have to inform you ...")
    return msg
