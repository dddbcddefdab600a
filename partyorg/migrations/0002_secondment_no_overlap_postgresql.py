"""On PostgreSQL, refuse overlapping secondments of one member in the database too (an exclusion
constraint over the inclusive date range; an open end is an unbounded range). Other backends rely
on `Secondment.clean()` and the locking service `partyorg.services.secondment_save`."""

from django.db import migrations

CONSTRAINT = "partyorg_secondment_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE partyorg_secondment ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(member_id WITH =, daterange(starts_on, ends_on, '[]') WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE partyorg_secondment DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("partyorg", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
