"""Search (issue 14): trigram GIN indexes for the top bar's search on PostgreSQL only.

`pg_trgm` hashes every three characters, Chinese included (a C.UTF-8 database classifies CJK as letters),
so `LIKE '%电梯停运%'` on these columns is an index search rather than a scan of every complaint. SQLite has
no such index: the search there is a plain LIKE (fine at a single office's volume). Created without
CONCURRENTLY inside the migration's transaction: at 1 M complaints this holds a write lock for the minutes
the build takes; run it in a maintenance window (docs/decisions.md)."""

from django.db import migrations

INDEXES = [
    ("complaint_subject_trgm", "complaints_complaint", "subject"),
    ("complaint_name_trgm", "complaints_complaint", "complainant_name"),
    ("complaint_phone_trgm", "complaints_complaint", "complainant_phone"),
    ("complaint_receipt_trgm", "complaints_complaint", "receipt_no"),
    ("issue_summary_trgm", "complaints_complaintissue", "summary"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("complaints", "0012_esc_obligation_kinds")]

    operations = [migrations.RunPython(forwards, backwards)]
