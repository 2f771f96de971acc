"""Reading one email into what intake needs: pure functions over bytes, no database, no network.

Chinese mail is decoded defensively: GB2312 and GBK labels are read as GB18030 (their superset; mailers
label GBK text as GB2312 all the time), a part whose label is wrong or missing is tried as UTF-8 and then
GB18030, and raw 8-bit headers (no RFC 2047 encoding, as some older mailers send) are decoded the same
way. The body is the text/plain part if there is one, else the HTML part reduced to text.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.header import decode_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from docket.core.text import one_line

# Labels that mean "some GB encoding"; GB18030 decodes all of them.
_GB = {"gb2312", "gbk", "x-gbk", "cp936", "ms936", "euc-cn", "gb_2312-80", "csgb2312", "x-euc-cn", "gb18030"}

# OFFICE-YYYYMMDD-NNNN (intake._next_receipt_no). Chinese characters count as word characters, so
# "回复：CYY-20261127-0001" has no \b before the code: use explicit look-arounds instead.
RECEIPT_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{1,10}-\d{8}-\d{4})(?![0-9])")
_MSGID_RE = re.compile(r"<[^<>\s]+>")
_AUTO_SUBJECT = re.compile(
    r"^\s*((自动回复|自动答复|auto(matic)?[ _-]?(reply|response)|out of (the )?office)\s*[:：]|"
    r"undeliverable\b|undelivered mail|delivery status notification|系统退信)",
    re.IGNORECASE,
)
_DAEMONS = {"mailer-daemon", "postmaster", "mail-daemon", "noreply-dmarc-support"}
# Where a mail client starts quoting the message replied to (QQ Mail, Foxmail, NetEase, Outlook, Gmail,
# Apple Mail).
_QUOTE_START = re.compile(
    r"^\s*(-{2,}\s*(原始邮件|original message|回复的原邮件|转发邮件)\s*-{2,}|"
    r"(发件人|from)\s*[:：].*|"
    r"在\s*.{4,60}写道\s*[:：]\s*|on .{4,120} wrote:\s*|"
    r"_{10,}\s*)$",
    re.IGNORECASE,
)


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes whose label may be missing or wrong."""
    tried: list[str] = []
    label = (charset or "").strip().strip('"').lower()
    if label in _GB:
        label = "gb18030"
    for cs in (label, "utf-8", "gb18030"):
        if not cs or cs in tried:
            continue
        tried.append(cs)
        try:
            return data.decode(cs)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("utf-8", errors="replace")


def header_text(raw: str | None) -> str:
    """A header's text: RFC 2047 encoded words decoded with the charset rules above, raw 8-bit bytes
    (kept by the parser as surrogate escapes) decoded too, folding removed."""
    if not raw:
        return ""
    raw = re.sub(r"\r?\n[ \t]+", " ", str(raw))
    try:
        data = raw.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # already real text
        return raw.strip()
    if any(b > 127 for b in data):
        return decode_bytes(data).strip()
    text = []
    for chunk, cs in decode_header(raw):
        text.append(decode_bytes(chunk, cs) if isinstance(chunk, bytes) else chunk)
    return "".join(text).strip()


class _TextExtractor(HTMLParser):
    _BLOCK = {
        "p",
        "div",
        "br",
        "li",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "table",
        "section",
    }
    _SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\u3000]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: everything before the quoted original, without '>' lines."""
    kept = []
    for line in text.splitlines():
        if _QUOTE_START.match(line):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    new = "\n".join(kept).strip()
    return new or text.strip()


@dataclass
class MailAttachment:
    name: str
    content: bytes
    declared_type: str


@dataclass
class ParsedMail:
    message_id: str
    from_name: str
    from_address: str
    recipients: list[str]
    subject: str
    body: str
    sent_at: datetime | None
    in_reply_to: list[str]
    references: list[str]
    attachments: list[MailAttachment] = field(default_factory=list)
    auto_reason: str = ""  # why this is an automatic message or spam (not filed), or ""
    unparsable: str = ""  # why the parser gave up (not filed), or ""

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first: In-Reply-To, then References newest first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen

    @property
    def receipt_numbers(self) -> list[str]:
        return [m.upper() for m in RECEIPT_RE.findall(self.subject)]


def _ids(raw: str | None) -> list[str]:
    return _MSGID_RE.findall(str(raw or ""))


def _part_text(part) -> str:
    payload = part.get_payload(decode=True) or b""
    return decode_bytes(payload, part.get_content_charset())


_RAW_NAME = re.compile(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


def _raw_8bit_filename(part) -> str:
    """A file name sent as raw 8-bit bytes (GBK from older clients); the parser would garble it."""
    for hname, value in part.raw_items():
        if hname.lower() not in ("content-disposition", "content-type"):
            continue
        data = str(value).encode("ascii", "surrogateescape") if isinstance(value, str) else b""
        if any(b > 127 for b in data):
            m = _RAW_NAME.search(decode_bytes(data))
            if m:
                return m.group(1) or m.group(2) or ""
    return ""


def _filename(part, n: int) -> str:
    try:
        name = _raw_8bit_filename(part) or part.get_filename() or ""  # the parser decodes RFC 2231/2047
    except (LookupError, ValueError, UnicodeError):
        name = ""
    if "=?" in name:
        name = header_text(name)
    try:
        data = name.encode("utf-8", "surrogateescape")
        name = decode_bytes(data)
    except UnicodeEncodeError:
        pass
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        name = f"附件{n}.{part.get_content_subtype() or 'bin'}"
    return name[:200]


def _auto_reason(msg: EmailMessage, from_address: str, subject: str) -> str:
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if msg.get(name) is not None:
            return name
    if str(msg.get("X-Spam-Flag", "")).strip().lower() == "yes" or str(
        msg.get("X-Spam-Status", "")
    ).strip().lower().startswith("yes"):
        return "X-Spam-Flag"  # the mail server's spam filter said so
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "auto_reply"):
        return f"Precedence: {precedence}"
    if msg.get_content_type() == "multipart/report":
        return "multipart/report"
    if str(msg.get("Return-Path", "")).strip() == "<>":
        return "Return-Path: <>"
    if from_address.split("@", 1)[0].lower() in _DAEMONS:
        return f"From: {from_address}"
    if _AUTO_SUBJECT.match(subject):
        return f"Subject: {subject[:60]}"
    return ""


def _clean(text: str) -> str:
    """No NUL and no lone surrogates: PostgreSQL refuses both in text columns."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


def unparsable(raw: bytes, error: Exception) -> ParsedMail:
    """What is recorded for a message the parser gave up on: keyed by its bytes, rejected with the reason."""
    return ParsedMail(
        message_id=f"<sha256-{hashlib.sha256(raw).hexdigest()}@docket.invalid>",
        from_name="",
        from_address="",
        recipients=[],
        subject="",
        body="",
        sent_at=None,
        in_reply_to=[],
        references=[],
        unparsable=f"{type(error).__name__}: {error}"[:500],
    )


def parse_message(raw: bytes) -> ParsedMail:
    """Everything intake needs from one RFC 5322 message."""
    msg: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[assignment]
    headers: dict[str, str] = {}
    for name, value in msg.raw_items():  # raw values: we decode them ourselves (header_text)
        headers.setdefault(name.lower(), value)

    name_raw, address = parseaddr(str(headers.get("from", "")).replace("\r\n", ""))
    from_name = header_text(name_raw).strip('"').strip()
    address = address.strip().lower()
    # One line: an encoded word may carry CR/LF (=?UTF-8?B?...?= of "a\r\nb"), which would end up in the
    # complaint's subject and in the headers of every notice about it.
    subject = one_line(_clean(header_text(headers.get("subject"))))
    recipients = []
    for hname in ("delivered-to", "x-original-to", "to", "cc"):
        # Decoded first: some mailers encode the whole "name <address>" as one encoded word.
        values = [header_text(str(v)) for k, v in msg.raw_items() if k.lower() == hname]
        recipients += [a.strip().lower() for _n, a in getaddresses(values) if "@" in a]

    mids = _ids(headers.get("message-id"))
    message_id = mids[0] if mids else f"<sha256-{hashlib.sha256(raw).hexdigest()}@docket.invalid>"
    try:
        sent_at = parsedate_to_datetime(str(headers["date"])) if headers.get("date") else None
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = None
    except (TypeError, ValueError, IndexError):
        sent_at = None

    body_part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if body_part is not None:
        text = _part_text(body_part)
        body = html_to_text(text) if body_part.get_content_subtype() == "html" else text.strip()
    body = body.replace("\r\n", "\n")

    attachments = []
    for n, part in enumerate(_attachment_parts(msg, body_part), start=1):
        content = part.get_payload(decode=True) or b""
        attachments.append(
            MailAttachment(
                name=_clean(_filename(part, n)), content=content, declared_type=part.get_content_type()
            )
        )

    return ParsedMail(
        message_id=_clean(message_id)[:998],
        from_name=_clean(from_name)[:200],
        from_address=_clean(address)[:254],
        recipients=list(dict.fromkeys(recipients)),
        subject=_clean(subject),
        body=_clean(body),
        sent_at=sent_at,
        in_reply_to=_ids(headers.get("in-reply-to")),
        references=_ids(headers.get("references")),
        attachments=attachments,
        auto_reason=_auto_reason(msg, address, subject),
    )


def _attachment_parts(msg: EmailMessage, body_part):
    """Every leaf part that is a file: not the body, not the alternative text/HTML versions of it."""
    for part in msg.walk():
        if part.is_multipart() or part is body_part:
            continue
        if part.get_content_maintype() == "message":
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition != "attachment" and ctype in ("text/plain", "text/html"):
            continue  # the other version of the body
        if disposition is None and not part.get_filename() and part.get_content_maintype() == "text":
            continue
        yield part
