from django.db import migrations


def install(apps, schema_editor):
    from docket.complaints import db_guards

    db_guards.install(schema_editor.connection)


def remove(apps, schema_editor):
    from docket.complaints import db_guards

    db_guards.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]
