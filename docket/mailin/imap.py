"""A thin IMAP client over imaplib for one mailbox: connect, log in, list unseen UIDs, fetch a message
without marking it (BODY.PEEK), and mark it done (\\Seen, or move it to the processed folder).

Every failure is raised as `MailboxError` with a message staff can act on; the caller records it.
"""

from __future__ import annotations

import base64
import imaplib
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

TIMEOUT_SECONDS = 30
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class MailboxError(Exception):
    """The mailbox could not be read (connection, TLS, login, folder)."""


def mutf7(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3), e.g. 已处理 → &XfJZBHQG-."""
    out: list[str] = []
    run: list[str] = []

    def flush():
        if run:
            data = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def _quote(name: str) -> str:
    name = mutf7(name)
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data, what: str) -> None:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise MailboxError(f"{what}: {typ} {detail}".strip())


@dataclass
class Session:
    conn: imaplib.IMAP4
    uidvalidity: int

    def unseen_uids(self, limit: int) -> list[int]:
        typ, data = self.conn.uid("SEARCH", "UNSEEN")
        _check(typ, data, "SEARCH")
        uids = sorted(int(u) for u in (data[0] or b"").split())
        return uids[:limit]

    def fetch(self, uid: int) -> tuple[bytes, datetime | None] | None:
        """The message's bytes and the server's arrival time, or None if it is gone."""
        typ, data = self.conn.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])")
        _check(typ, data, "FETCH")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                meta, raw = item
                m = _INTERNALDATE.search(meta)
                arrived = None
                if m:
                    try:
                        arrived = datetime.strptime(m.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
                    except ValueError:
                        arrived = None
                return raw, arrived
        return None

    def mark_done(self, uid: int, processed_folder: str = "") -> None:
        """Called only after the message's record is committed."""
        if processed_folder:
            command = "MOVE" if "MOVE" in self.conn.capabilities else "COPY"
            typ, data = self.conn.uid(command, str(uid), _quote(processed_folder))
            if typ != "OK" and b"TRYCREATE" in b" ".join(d for d in data if isinstance(d, bytes)):
                self.conn.create(_quote(processed_folder))  # the first message ever processed
                typ, data = self.conn.uid(command, str(uid), _quote(processed_folder))
            _check(typ, data, f"{command} {processed_folder}")
            if command == "MOVE":
                return
            typ, data = self.conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen \Deleted)")
            _check(typ, data, "STORE")
            return
        typ, data = self.conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)")
        _check(typ, data, "STORE")


@contextmanager
def open_session(
    *, host: str, port: int, security: str, username: str, password: str, folder: str
) -> Iterator[Session]:
    conn: imaplib.IMAP4 | None = None
    try:
        try:
            if security == "ssl":
                conn = imaplib.IMAP4_SSL(
                    host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT_SECONDS
                )
            else:
                conn = imaplib.IMAP4(host, port, timeout=TIMEOUT_SECONDS)
                if security == "starttls":
                    try:
                        conn.starttls(ssl_context=ssl.create_default_context())
                    except imaplib.IMAP4.abort as exc:
                        raise MailboxError(f"STARTTLS: {exc}") from exc
            conn.login(username, password)
            typ, data = conn.select(_quote(folder))
            _check(typ, data, f"SELECT {folder}")
            typ, data = conn.response("UIDVALIDITY")
            uidvalidity = int(data[0]) if data and data[0] else 0
        except (TimeoutError, imaplib.IMAP4.error, OSError, ssl.SSLError, ValueError) as exc:
            raise MailboxError(f"{type(exc).__name__}: {exc}") from exc
        try:
            yield Session(conn=conn, uidvalidity=uidvalidity)
        except (TimeoutError, imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        if conn is not None:
            try:
                if conn.state == "SELECTED":
                    conn.close()  # also expunges what COPY + \Deleted left behind
                conn.logout()
            except Exception:  # noqa: BLE001 - the session is over either way
                pass
