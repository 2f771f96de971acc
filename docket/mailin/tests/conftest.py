"""Fixtures for the email channel: one private Dovecot for the whole test session (see dovecot.py), a
fresh IMAP folder per test, and helpers that build real MIME messages and deliver them with APPEND."""

from __future__ import annotations

import contextlib
import imaplib
import uuid

import pytest

from docket.mailin.models import Mailbox

from .dovecot import DovecotUnavailable, ImapUser, PrivateDovecot

USER = ImapUser("kefu", "kefu-secret")


@pytest.fixture(scope="session")
def dovecot():
    """A real IMAP server. If Dovecot is missing or will not start, the tests fail with the reason —
    never skipped, never faked (`scripts/ensure_tools.sh browser` installs it)."""
    try:
        server = PrivateDovecot.start([USER])
    except DovecotUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


class Imap:
    """The test's own IMAP connection to its folder: deliver messages and look at their flags."""

    def __init__(self, server: PrivateDovecot, folder: str):
        self.server, self.folder = server, folder
        self.conn = imaplib.IMAP4(server.host, server.port, timeout=10)
        self.conn.login(USER.name, USER.password)
        for name in (folder, f"{folder}/done"):
            typ, data = self.conn.create(f'"{name}"')
            assert typ == "OK", data

    def deliver(self, message, folder: str | None = None) -> None:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        typ, data = self.conn.append(f'"{folder or self.folder}"', None, None, raw)
        assert typ == "OK", data

    def flags(self, folder: str | None = None) -> list[bytes]:
        """The flags of every message in the folder, in UID order."""
        self.conn.select(f'"{folder or self.folder}"', readonly=True)
        typ, data = self.conn.uid("FETCH", "1:*", "(FLAGS)")
        self.conn.close()
        return [d for d in data if d]

    def count(self, folder: str | None = None) -> int:
        typ, data = self.conn.select(f'"{folder or self.folder}"', readonly=True)
        self.conn.close()
        return int(data[0] or 0)

    def unseen(self, folder: str | None = None) -> int:
        self.conn.select(f'"{folder or self.folder}"', readonly=True)
        typ, data = self.conn.uid("SEARCH", "UNSEEN")
        self.conn.close()
        return len((data[0] or b"").split())

    def logout(self):
        with contextlib.suppress(Exception):
            self.conn.logout()


@pytest.fixture
def imap(dovecot):
    box = Imap(dovecot, f"t{uuid.uuid4().hex[:12]}")
    yield box
    box.logout()


@pytest.fixture
def mailbox(org, imap, dovecot) -> Mailbox:
    return Mailbox.objects.create(
        name="朝阳园投诉邮箱",
        address="kefu@cyy.example",
        office=org.a.office,
        host=dovecot.host,
        port=dovecot.port,
        security=Mailbox.Security.NONE,
        username=USER.name,
        password=USER.password,
        folder=imap.folder,
    )
