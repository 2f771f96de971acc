"""All periodic schedules in one place (ARCHITECTURE.md). Only one consumer runs them; others start with
`--no-periodic`. Times are Asia/Shanghai (HUEY utc=False)."""

from huey import crontab
from huey.contrib.djhuey import periodic_task

from docket.complaints.services.overdue import overdue_sweep
from docket.complaints.tasks import chains_verify_nightly
from docket.notifications.service import deliver_due


@periodic_task(crontab(hour="2", minute="30"))
def nightly_chain_verification():
    chains_verify_nightly.call_local()


@periodic_task(crontab(minute="*"))
def deliver_notifications():
    deliver_due()


@periodic_task(crontab(minute="*"))
def sweep_overdue():
    """Deadline warnings and overdue escalation (R-SLA-3), every minute."""
    overdue_sweep()
