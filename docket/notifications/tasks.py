from huey.contrib.djhuey import db_task

from .service import deliver_due


@db_task()
def notifications_deliver() -> dict[str, int]:
    """Deliver due notifications (idempotent; claims rows, so parallel runs do not overlap)."""
    return deliver_due()
