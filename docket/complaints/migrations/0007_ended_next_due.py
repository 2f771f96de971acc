"""Ended complaints kept a past next_due_at when a missed obligation had never been fulfilled, so they
sorted and showed as overdue. Only the forwarder's own deadline still counts once a complaint has ended
(services/_base.next_due_refresh); bring existing rows in line. Events are not touched."""

from django.db import migrations
from django.db.models import Min, OuterRef, Q, Subquery

ENDED = ["closed", "unclosed", "withdrawn"]


def forwards(apps, schema_editor):
    Complaint = apps.get_model("complaints", "Complaint")
    Obligation = apps.get_model("complaints", "Obligation")
    Obligation.objects.filter(complaint__state__in=ENDED, met_at__isnull=True, next_check_at__isnull=False).filter(
        ~Q(kind="forwarder_reply")).update(next_check_at=None)
    running = (Obligation.objects.filter(complaint=OuterRef("pk"), kind="forwarder_reply", met_at__isnull=True,
                                         state__in=["open", "missed"])
               .order_by().values("complaint").annotate(first=Min("due_at")).values("first"))
    Complaint.objects.filter(state__in=ENDED).update(next_due_at=Subquery(running))


class Migration(migrations.Migration):
    dependencies = [("complaints", "0006_saved_filters")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
