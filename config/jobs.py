"""All periodic schedules in one place (ARCHITECTURE.md). Only one consumer runs them; others start with
`--no-periodic`. Times are Asia/Shanghai (HUEY utc=False)."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import periodic_task

from docket.api.services import idempotency_purge
from docket.complaints.services.overdue import overdue_sweep
from docket.complaints.services.privacy import personal_data_anonymise_due
from docket.complaints.tasks import chains_verify_nightly
from docket.escalation.services import classify_pending, escalation_sweep
from docket.mailin.services import inbound_purge, mailboxes_poll
from docket.notifications.service import deliver_for, outbox_purge
from docket.reports.services import report_duties_open, report_duties_overdue_notify
from docket.triage.services import triage_models_retrain


@periodic_task(crontab(hour="2", minute="30"))
def nightly_chain_verification():
    chains_verify_nightly.call_local()


@periodic_task(crontab(minute="*"))
def deliver_notifications():
    deliver_for(seconds=45)


@periodic_task(crontab(minute="*"))
def sweep_overdue():
    """Deadline warnings and overdue escalation (R-SLA-3), every minute."""
    overdue_sweep()


@periodic_task(crontab(day="1", hour="0", minute="10"))
def open_report_duties():
    """Monthly (and quarterly) reporting duties for the period just ended (R-SLA-4)."""
    report_duties_open()


@periodic_task(crontab(minute="5"))
def notify_overdue_reports():
    report_duties_overdue_notify()


@periodic_task(crontab(hour="3", minute="15"))
def purge_idempotency_keys():
    """API idempotency records are kept 24 hours."""
    idempotency_purge()


@periodic_task(crontab(minute="*"))
def poll_complaint_mailboxes():
    """Read every active complaint mailbox (email channel, R-INT-2), every minute. Failures are recorded
    on the mailbox; messages are filed exactly once even when runs overlap."""
    mailboxes_poll()


@periodic_task(crontab(hour="3", minute="40"))
def anonymise_expired_personal_data():
    """Erase the personal data of complaints ended longer ago than the retention period (R-EXP-12), then
    the senders of the mail they came from and of mail that became nothing (`inbound_purge`)."""
    while personal_data_anonymise_due(batch=500):
        pass
    inbound_purge()


@periodic_task(crontab(hour="3", minute="45"))
def purge_outbox_personal_data():
    """Addresses and texts of delivered or given-up messages are kept DOCKET_OUTBOX_KEEP_DAYS (30) days."""
    outbox_purge()


@periodic_task(crontab(hour="2", minute="50"))
def retrain_triage_models():
    """The companies' triage classifiers, retrained on their classified complaints when those changed
    (R-INT-4); each run stores a new version (docket/triage)."""
    triage_models_retrain()


# --- report documents, case library and archive (issue 13) ---------------------------------------------------
@periodic_task(crontab(day="1", hour="1", minute="20"))
def generate_developer_legacy_reports():
    """The developer-legacy monthly statistics of the month just ended, to QM and the developer's centre
    (seed 5.2.6.4); idempotent (one GeneratedReport per company and month)."""
    from docket.reports.delivery import legacy_reports_generate

    legacy_reports_generate()


@periodic_task(crontab(minute="25"))
def deliver_approved_reports():
    """Approved monthly / quarterly analyses, as PDF and Excel, to the company's report recipients."""
    from docket.reports.delivery import reports_deliver_pending

    reports_deliver_pending()


# --- escalation (issue 12) ---
@periodic_task(crontab(minute="*/10"))
def sweep_escalation():
    """The age rules of hot and major complaints (unresolved a week / a month through the company's fault)
    and the after-closure case and special reports (R-ESC-1..3), every ten minutes; idempotent."""
    escalation_sweep()


@periodic_task(crontab(minute="*"))
def classify_pending_catch_up():
    """New complaints whose classification waited a minute or more (a drain lost with the worker, a flag left
    set by a crash: escalation.services.classify_pending) are classified now; nothing to do otherwise."""
    classify_pending(older_than=timedelta(minutes=1))


# --- portal answers (issue 11) -------------------------------------------------------------------------------
@periodic_task(crontab(minute="20"))
def auto_close_unanswered():
    """A replied complaint the owner has not answered for the company's `auto_close_days` (default 7)
    closes itself, with the reason on the record, and the owner is told (R-EXP-3). Hourly; idempotent."""
    from docket.complaints.services.answers import auto_close_sweep

    auto_close_sweep()


# --- statistics speed (issue 13): the statistics' daily summary -------------------------------------------


@periodic_task(crontab(minute="*"))
def refresh_statistics_summary():
    """Rebuild the summary rows of the office-days whose complaints changed (reports/figures.py); the
    pages read anything newer from the complaints, so this only keeps that remainder small."""
    from docket.reports.figures import refresh

    refresh()


@periodic_task(crontab(hour="4", minute="20"))
def rebuild_statistics_summary_nightly():
    """Every day again from the complaints: catches a change made outside the action frames (an edit of
    the category tree, a data fix)."""
    from docket.reports.figures import refresh

    refresh(full=True)
