"""A complaint mailbox's service user (`邮件·NAME`, reception in every office the mailbox files into) and
the offices its recipient addresses route to."""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import make_password
from django.db import transaction

from docket.accounts.access import forget
from docket.accounts.models import Role, RoleAssignment, User
from docket.accounts.services import role_grant
from docket.org.models import Office

from ..models import Mailbox


def mailbox_offices(mailbox: Mailbox) -> dict[str, int]:
    """Recipient address → office id for the mailbox's routes; '' → the default office."""
    routes = {
        r.address.strip().lower(): r.office_id
        for r in mailbox.routes.filter(office__company_id=mailbox.office.company_id)
    }
    return {"": mailbox.office_id, **routes}


def mailbox_user_ensure(mailbox: Mailbox) -> User:
    """Create the mailbox's service user if needed and make its roles exactly: reception in the default
    office and in every routed office. Called on admin save and at the start of every poll."""
    with transaction.atomic():
        mb = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
        user = mb.user
        label = f"邮件·{mb.name}"[:50]
        if user is None:
            user = User.objects.create(
                username=f"mailin-{secrets.token_hex(4)}",
                display_name=label,
                password=make_password(None),
                is_service=True,
            )
            mb.user = user
            mb.save(update_fields=["user"])
        elif user.display_name != label:
            user.display_name = label
            user.save(update_fields=["display_name"])
        office_ids = set(mailbox_offices(mb).values())
        for office in Office.objects.filter(pk__in=office_ids):
            role_grant(user=user, role=Role.RECEPTION, scope_obj=office)
        RoleAssignment.objects.filter(user=user).exclude(
            role=Role.RECEPTION, office_id__in=office_ids
        ).delete()
        forget(user)
    mailbox.user = user
    return user
