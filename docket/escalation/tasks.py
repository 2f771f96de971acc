"""Background jobs of the escalation app: take ids, idempotent, call services (schedules: config/jobs.py)."""

from huey.contrib.djhuey import db_task


@db_task()
def escalation_classify_pending() -> None:
    """Run the hot/major rules on the new complaints waiting for them (`ClassifyPending`: the same-issue
    count after their intake committed), in batches, until none is left."""
    from .services import classify_pending

    classify_pending()


@db_task()
def escalation_classify(complaint_id: int) -> None:
    """One complaint's classification, as queued one task per filing before the batches ("classifybatch"):
    kept so that tasks queued before an upgrade still run."""
    from .services import classify

    classify(complaint_id=complaint_id, trigger="registered")
