# search6 (issue 14): the complaint's subject and issue summaries in one column, trigram-indexed on PostgreSQL
# (Complaint.search_text; docs/decisions.md, "search6").

from django.db import migrations, models

SEP = "\x1f"  # models.complaint.SEARCH_SEP, as it was when this migration was written


def fill(apps, schema_editor):
    """Every complaint's search text: its subject, then its issues' summaries in order, joined by SEP (one
    statement; at a million complaints about a minute on PostgreSQL)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE complaints_complaint c SET search_text = c.subject || coalesce((SELECT %s"
            " || string_agg(i.summary, %s ORDER BY i.seq) FROM complaints_complaintissue i"
            " WHERE i.complaint_id = c.id), '')",
            [SEP, SEP],
        )
    else:
        schema_editor.execute(
            "UPDATE complaints_complaint SET search_text = subject || coalesce((SELECT %s || group_concat(s, %s)"
            " FROM (SELECT i.summary AS s FROM complaints_complaintissue i"
            " WHERE i.complaint_id = complaints_complaint.id ORDER BY i.seq)), '')",
            [SEP, SEP],
        )


def index(apps, schema_editor):
    """PostgreSQL: the trigram index the search reads (as 0013's), after the UPDATE has committed (so it is
    built over the live rows only); the issues' own summary index goes — nothing searches the summaries
    alone any more, and every filing paid for it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "complaint_search_trgm" ON "complaints_complaint"'
        ' USING gin ("search_text" gin_trgm_ops)'
    )
    schema_editor.execute('DROP INDEX IF EXISTS "issue_summary_trgm"')


def unindex(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('DROP INDEX IF EXISTS "complaint_search_trgm"')
    schema_editor.execute(
        'CREATE INDEX IF NOT EXISTS "issue_summary_trgm" ON "complaints_complaintissue"'
        ' USING gin ("summary" gin_trgm_ops)'
    )


def vacuum(apps, schema_editor):
    """PostgreSQL: the UPDATE left a dead version of every complaint and cleared the visibility map, which
    the queue's and the list's index-only scans need (as 0028)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM (ANALYZE) complaints_complaint")


class Migration(migrations.Migration):
    # Each step commits on its own (as 0028): the index is built over the live rows, and VACUUM runs outside
    # a transaction.
    atomic = False

    dependencies = [
        ("complaints", "0028_list_issue_received"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaint",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="检索文本"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(index, unindex),
        migrations.RunPython(vacuum, migrations.RunPython.noop, elidable=True),
    ]
