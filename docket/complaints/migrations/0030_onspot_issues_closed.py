# onspot (fifth session): a complaint closed on the spot (R-INT-10) kept its issues open (待处理);
# services.intake.complaint_close_on_spot now closes them with it. This ends the issues of the complaints
# already closed on the spot the same way: closed (已办结) at the complaint's closing time. Only issues
# still open are touched, so running it again changes nothing; a complaint reopened since (no longer
# closed, or closed another way) is left alone. No event is appended: the closing event stays as it was
# written (docs/decisions.md, "onspot").

from django.db import migrations


def end_issues(apps, schema_editor):
    """One statement: PostgreSQL joins the complaints (one hash join, ≈ 350 000 issues of the 1 M bench
    history); SQLite correlates."""
    if schema_editor.connection.vendor == "postgresql":
        sql = (
            "UPDATE complaints_complaintissue i SET state = 'closed', closed_at = c.closed_at"
            " FROM complaints_complaint c WHERE c.id = i.complaint_id AND c.state = 'closed'"
            " AND c.closure_kind = 'on_the_spot' AND i.state = 'open'"
        )
    else:
        sql = (
            "UPDATE complaints_complaintissue SET state = 'closed', closed_at = (SELECT c.closed_at"
            " FROM complaints_complaint c WHERE c.id = complaints_complaintissue.complaint_id)"
            " WHERE state = 'open' AND complaint_id IN (SELECT c.id FROM complaints_complaint c"
            " WHERE c.state = 'closed' AND c.closure_kind = 'on_the_spot')"
        )
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(sql)
        changed = cursor.rowcount
    if changed and schema_editor.connection.vendor == "postgresql":
        # As 0028: the UPDATE cleared the visibility map of most of the issues' pages, so the queue's
        # index-only counts would read the table until autovacuum came by. Outside a transaction (this
        # migration is not atomic).
        schema_editor.execute("VACUUM (ANALYZE) complaints_complaintissue")


def reopen_issues(apps, schema_editor):
    """Back to what the old service left: the issues of a complaint closed on the spot open again."""
    schema_editor.execute(
        "UPDATE complaints_complaintissue SET state = 'open', closed_at = NULL WHERE state = 'closed'"
        " AND complaint_id IN (SELECT c.id FROM complaints_complaint c"
        " WHERE c.state = 'closed' AND c.closure_kind = 'on_the_spot')"
    )


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run in a transaction; the UPDATE is one statement, atomic by itself

    dependencies = [
        ("complaints", "0029_search_text"),
    ]

    operations = [
        migrations.RunPython(end_issues, reopen_issues, elidable=True),
    ]
