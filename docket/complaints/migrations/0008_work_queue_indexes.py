"""Indexes for the work queues at scale (bench/README.md, "The staff pages over HTTP"): a company's open
complaints in due order, covering the queue's conditions; a department's open issues. Both partial, so
their size follows the open work, not the history. Building them locks writes to the two tables for about a
second per million complaints (docket_bench: 1 M complaints, 1.1 M issues): migrate in a quiet moment."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0007_ended_next_due'),
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(condition=models.Q(('state__in', ['closed', 'unclosed', 'withdrawn']), _negated=True), fields=['company', 'next_due_at', 'received_at', 'id'], include=('holder_department', 'state'), name='complaint_open_due'),
        ),
        migrations.AddIndex(
            model_name='complaintissue',
            index=models.Index(condition=models.Q(('state__in', ['open', 'rework'])), fields=['company', 'department', 'complaint'], name='issue_open_department'),
        ),
    ]
