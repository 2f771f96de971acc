# list (issue 14): the complaint's received time on its issues, and the list landing's indexes.

from django.db import migrations, models

import docket.complaints.models.complaint


def fill(apps, schema_editor):
    """Each issue takes its complaint's received time (one statement; PostgreSQL joins, SQLite correlates)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE complaints_complaintissue i SET received_at = c.received_at"
            " FROM complaints_complaint c WHERE c.id = i.complaint_id"
        )
    else:
        schema_editor.execute(
            "UPDATE complaints_complaintissue SET received_at = (SELECT c.received_at"
            " FROM complaints_complaint c WHERE c.id = complaints_complaintissue.complaint_id)"
        )


def vacuum(apps, schema_editor):
    """PostgreSQL: the UPDATE cleared the issues' visibility map, so every index-only scan of the issues
    (the queue's count, the list's landing) read the table until autovacuum came by — the queue's count took
    three times its PostgreSQL time right after the migration (queuecpu, bench/README.md). Vacuumed and
    analysed here, outside a transaction (this migration is not atomic)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM (ANALYZE) complaints_complaintissue")


class Migration(migrations.Migration):
    # Each step commits on its own: the issues' UPDATE leaves a dead version of every row, which an index
    # built in the same transaction would still hold (issue_department_received twice its size, the landing's
    # scan reading ~15 times the pages); committed first, the index is built over the live rows only.
    atomic = False

    dependencies = [
        ('complaints', '0027_queuecpu_chased_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaintissue',
            name='received_at',
            field=models.DateTimeField(editable=False, null=True, verbose_name='受理时间'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='complaintissue',
            name='received_at',
            field=docket.complaints.models.complaint.ComplaintReceivedAt(editable=False, verbose_name='受理时间'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['company', 'holder_department', 'received_at', 'id'], name='complaint_holder_received'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('severity__in', ['hot', 'major'])), fields=['received_at', 'id'], include=('company',), name='complaint_hot_major_received'),
        ),
        migrations.AddIndex(
            model_name='complaintissue',
            index=models.Index(fields=['department', 'company', 'received_at', 'complaint'], name='issue_department_received'),
        ),
        migrations.RunPython(vacuum, migrations.RunPython.noop, elidable=True),
    ]
