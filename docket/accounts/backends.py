"""The signed-in user and their role assignments without a database round trip per request (issue 14).

`CachedModelBackend` is Django's ModelBackend whose `get_user` (called by AuthenticationMiddleware on every
request) answers from `docket.core.generations`: the user row and its role assignments (with the
departments, offices, companies … they name) are loaded once per process and reused until a generation
stamp moves. Each request gets its own shallow copy of the user (attributes a view sets never leak into
the next request); the assignments list is shared and only read.

Stamps (bumped by the receivers below, at once and on commit):

- `user-<id>`: the user's row (password, active flag, names …) or one of their role assignments changed;
- `org`: any group, company, office, community, department, owners' committee, category or escalation policy
  changed (their names are shown through the assignments; reference data, `docket.complaints.refdata`, and
  the hot/major thresholds, `docket.escalation.services.thresholds_for`, hang on it too).

Django's session check still runs on the cached row (`get_session_auth_hash`): a password change bumps
the stamp, so the other sessions end as before.
"""

from __future__ import annotations

import copy

from django.contrib.auth.backends import ModelBackend
from django.db.models.signals import post_delete, post_save

from docket.core import generations

from .access import _CACHE_ATTR, assignments_of

ORG = "org"
SLA = "sla"  # the SLA policies (deadline rules per company and office): `complaints.services.obligations`


def user_stamp(user_id) -> str:
    return f"user-{int(user_id)}"


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            uid = int(user_id)
        except (TypeError, ValueError):
            return None

        def load():
            user = ModelBackend.get_user(self, uid)
            if user is not None:
                assignments_of(user)  # loaded now, kept on the instance
            return user

        # the top bar's unread badge (notifications.inbox) reads its stamp on the same round trip, and so
        # does the deadline rules' (intake and every action that starts a deadline read them)
        generations.expect(f"inbox-{uid}", SLA)
        user = generations.cached(("user", uid), (ORG, user_stamp(uid)), load)
        return copy.copy(user) if user is not None else None


# --- invalidation -------------------------------------------------------------------------------------------


def _user_changed(sender, instance, **kwargs):
    generations.bump(user_stamp(instance.pk))


def _assignment_changed(sender, instance, **kwargs):
    generations.bump(user_stamp(instance.user_id))


def _org_changed(sender, instance, **kwargs):
    generations.bump(ORG)


def _sla_changed(sender, instance, **kwargs):
    generations.bump(SLA)


def connect() -> None:
    """Called from AccountsConfig.ready()."""
    from docket.complaints.models import Category
    from docket.escalation.models import EscalationPolicy
    from docket.org.models import Community, Company, Department, Group, Office, OwnersCommittee
    from docket.sla.models import SlaPolicy

    from .models import RoleAssignment, User

    for signal in (post_save, post_delete):
        signal.connect(_user_changed, sender=User, dispatch_uid=f"docket-gen-user-{signal}")
        signal.connect(_assignment_changed, sender=RoleAssignment, dispatch_uid=f"docket-gen-ra-{signal}")
        signal.connect(_sla_changed, sender=SlaPolicy, dispatch_uid=f"docket-gen-sla-{signal}")
        for model in (
            Group,
            Company,
            Office,
            Community,
            Department,
            OwnersCommittee,
            Category,
            EscalationPolicy,
        ):
            signal.connect(
                _org_changed, sender=model, dispatch_uid=f"docket-gen-org-{model.__name__}-{signal}"
            )


__all__ = ["CachedModelBackend", "connect", "user_stamp", "ORG", "SLA", "_CACHE_ATTR"]
