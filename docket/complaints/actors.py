"""Who acts on a complaint (ARCHITECTURE.md, "Vocabulary and actors"): every change has a typed actor, and
the record freezes its name and role into each event.

- `staff`: a person signed in, acting in one of their roles (the assignment the permission policy chose);
- `integration`: an API key's service user (12345 hotline, the developer's centre …), acting in its role;
- `mailbox`: an IMAP inbox's service user, filing mail as the front desk of its offices;
- `complainant`: the person who complained, through the receipt check or the owners' portal (`via`);
- `system`: one of Docket's own jobs (the overdue sweep, automatic resume, recomputation after holiday data).

Staff, integration and mailbox actors are users and go through the permission policy (`acting()`); the
complainant and the system have no account and act only through `system_acting()` / `complainant_acting()`,
whose callers decide what they may do (a receipt code, a due step).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from docket.accounts.access import role_label
from docket.accounts.models import RoleAssignment, User

SYSTEM_NAME = "系统"
COMPLAINANT_NAME = "顾客"
# Service users are created with these username prefixes (api/services.py, mailin/services.py).
MAILBOX_PREFIX = "mailin-"


class ActorKind(StrEnum):
    STAFF = "staff"
    INTEGRATION = "integration"
    MAILBOX = "mailbox"
    COMPLAINANT = "complainant"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    user: User | None = None
    assignment: RoleAssignment | None = None
    via: str = ""  # the system job, or the complainant's channel (receipt, portal)

    @classmethod
    def of_user(cls, user: User, assignment: RoleAssignment | None) -> Actor:
        if getattr(user, "is_service", False):
            kind = ActorKind.MAILBOX if user.username.startswith(MAILBOX_PREFIX) else ActorKind.INTEGRATION
        else:
            kind = ActorKind.STAFF
        return cls(kind, user=user, assignment=assignment)

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(ActorKind.SYSTEM, via=job)

    @classmethod
    def complainant(cls, via: str) -> Actor:
        return cls(ActorKind.COMPLAINANT, via=via)

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def name(self) -> str:
        """The name frozen into the record (at most 50 characters)."""
        if self.user is not None:
            return str(self.user)[:50]
        return SYSTEM_NAME if self.kind == ActorKind.SYSTEM else COMPLAINANT_NAME

    @property
    def role(self) -> str:
        """The role frozen into the record: the role and its scope for users, else the actor's kind."""
        if self.kind == ActorKind.SYSTEM:
            return SYSTEM_NAME
        if self.kind == ActorKind.COMPLAINANT:
            return COMPLAINANT_NAME
        return role_label(self.assignment)[:50]
