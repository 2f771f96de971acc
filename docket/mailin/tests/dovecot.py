"""A private Dovecot IMAP server for the tests: its own config, users, maildirs, sockets and logs in one
temporary directory, listening on 127.0.0.1 on a free port. Nothing system-wide is read or changed
(`-c` points Dovecot at our config only; /etc/dovecot is never used and the system service is never
started).

Run as root (as in CI), Dovecot needs unprivileged users for its login and mail processes: we use the
`dovenull` and `dovecot` accounts that Debian's package creates and `nobody` for the mailboxes, and the
temporary directory is made traversable for them. Run as an ordinary user, everything runs as that user.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


class DovecotUnavailable(RuntimeError):
    """Dovecot is not installed or would not start; the message says why."""


def _die_with_parent() -> None:
    """Linux: the master gets SIGTERM if the test process dies without stopping it (killed run)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ImapUser:
    name: str
    password: str


@dataclass
class PrivateDovecot:
    root: Path
    port: int
    users: list[ImapUser]
    host: str = "127.0.0.1"
    process: subprocess.Popen | None = None

    @classmethod
    def start(cls, users: list[ImapUser]) -> PrivateDovecot:
        if not os.path.exists(DOVECOT):
            raise DovecotUnavailable(
                "dovecot is not installed; `scripts/ensure_tools.sh browser` installs Debian's dovecot-imapd"
            )
        root = Path(tempfile.mkdtemp(prefix="docket-dovecot-"))
        server = cls(root=root, port=_free_port(), users=users)
        server._configure()
        # In the foreground (-F) as our own child, so we stop exactly this process and nothing else.
        with open(root / "master.out", "wb") as out:
            server.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(server.config)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        server._wait()
        return server

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    def _configure(self) -> None:
        me = pwd.getpwuid(os.getuid())
        if os.getuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            login_user, internal_user = "dovenull", "dovecot"
            # Dovecot's unprivileged processes must reach their sockets and the mailboxes.
            os.chmod(self.root, 0o755)
        else:
            mail_user = me
            login_user = internal_user = me.pw_name
        mail_group = grp.getgrgid(mail_user.pw_gid).gr_name
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        os.chmod(self.root / "run", 0o755)
        if os.getuid() == 0:
            os.chown(self.root / "mail", mail_user.pw_uid, mail_user.pw_gid)
        # passwd-file: user:{PLAIN}password:uid:gid::home
        (self.root / "users").write_text(
            "".join(
                f"{u.name}:{{PLAIN}}{u.password}:{mail_user.pw_uid}:{mail_user.pw_gid}::{self.root}/mail/{u.name}\n"
                for u in self.users
            )
        )
        os.chmod(self.root / "users", 0o644)
        self.config.write_text(f"""\
# Private test instance (docket/mailin/tests/dovecot.py); nothing here is shared with the system.
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
instance_name = docket-test-{self.port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
first_valid_uid = {min(mail_user.pw_uid, 500)}
first_valid_gid = 0
mail_location = maildir:~/Maildir
mail_privileged_group =
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Processed {{
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        del mail_group

    def _wait(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        detail = self.log() + self._output()
        self.stop()
        raise DovecotUnavailable(f"dovecot did not answer on port {self.port}: {detail[-2000:]}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _output(self) -> str:
        path = self.root / "master.out"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop our master (SIGTERM ends its children too) and remove the directory."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)
