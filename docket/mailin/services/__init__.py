"""Reading complaint mailboxes (the email channel, R-INT-1/2: method 邮件).

`poll_mailbox(mailbox)` logs in over IMAP, reads the unseen messages (without marking them), and for each
one, in one database transaction, writes its `InboundMessage` row and what it produced:

* a new complaint, registered through intake (`complaint_register`) by the mailbox's service user as
  reception of the office, method "email", with the message's images and PDFs as attachments;
* or, for a reply (In-Reply-To/References naming a message we filed, or a receipt number of one of the
  mailbox's offices in the subject), the new text on that complaint's staff timeline as "顾客来信"
  (`complainant_wrote_record`, which also tells the holder) and its attachments (`attachment_add`); a reply to a complaint that has ended is registered as a new complaint
  that names the old one, and the old one gets a note pointing to it;
* or nothing, for automatic replies and bounces (recorded as `rejected`).

Only after that transaction commits is the message marked \\Seen (or moved to the processed folder).
Exactly once: the row is unique per (mailbox, Message-ID) and is inserted with ON CONFLICT DO NOTHING and
then locked, so a second poller waits for the first and then finds the message done; a crash before the
commit leaves no trace and the message unseen; a crash after it leaves the message unseen but recorded,
and the next poll only marks it. A refused attachment is skipped and noted, never fatal; a refusal of
the whole message (`DomainError`) is recorded as `rejected`; an unexpected failure as `error`, retried on
the next polls up to MAX_ATTEMPTS times before the message is marked and left for staff.

Modules: `mailbox` (the mailbox's service user and its offices), `poll` (the poll loop and one message's
transaction), `filing` (what a message becomes: a complaint, a reply on one, or nothing) and `replies`
(which complaint a reply belongs to).
"""

from .filing import MAX_ATTACHMENTS, MAX_TEXT
from .mailbox import mailbox_offices, mailbox_user_ensure
from .poll import BATCH, MAX_ATTEMPTS, PollResult, mailboxes_poll, message_process, poll_mailbox
from .retention import inbound_purge

__all__ = [
    "BATCH",
    "MAX_ATTACHMENTS",
    "MAX_ATTEMPTS",
    "MAX_TEXT",
    "PollResult",
    "inbound_purge",
    "mailbox_offices",
    "mailbox_user_ensure",
    "mailboxes_poll",
    "message_process",
    "poll_mailbox",
]
