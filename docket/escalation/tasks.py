"""Background jobs of the escalation app: take ids, idempotent, call services (schedules: config/jobs.py)."""

from huey.contrib.djhuey import db_task


@db_task()
def escalation_classify(complaint_id: int) -> bool:
    """Run the hot/major rules on one complaint (after its intake committed: the same-issue count)."""
    from .services import classify

    return classify(complaint_id=complaint_id, trigger="registered")
