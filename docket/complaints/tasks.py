"""Background jobs of the complaints app. Tasks take ids or nothing, are idempotent and call services or
read-only checks; schedules live in config/jobs.py."""

import logging

from huey.contrib.djhuey import db_task

from .chain import chains_verify_all

log = logging.getLogger("docket.chains")


@db_task()
def chains_verify_nightly() -> int:
    """Re-verify every chain; a broken one is logged as an error for the administrators. Returns the
    number broken (idempotent: only reads)."""
    broken = 0
    for _id, problem in chains_verify_all():
        if problem is not None:
            broken += 1
            log.error(
                "complaint record %s broken at event #%s: %s", problem.receipt_no, problem.seq, problem.reason
            )
    log.info("nightly chain verification done, %s broken", broken)
    return broken


@db_task()
def overdue_sweep_run() -> dict:
    """Run the overdue sweep once (idempotent; safe on several consumers)."""
    from .services.overdue import overdue_sweep

    r = overdue_sweep()
    return {
        "warned": r.warned,
        "breached": r.breached,
        "superior": r.superior,
        "qm": r.qm,
        "resumed": r.resumed,
    }
