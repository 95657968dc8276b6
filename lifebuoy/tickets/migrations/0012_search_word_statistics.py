"""PostgreSQL's statistics of the tickets' search documents list ten times as many words, with
the share of tickets holding each (``PostgresBackend.keep_word_statistics``): similar tickets
size their reads by them. The table is analyzed again here (7–12 s at a million tickets;
reads and writes go on meanwhile); SQLite is unchanged."""

from django.db import migrations


def keep_word_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from lifebuoy.tickets.search import backend_for
    from lifebuoy.tickets.search.postgres import TABLE

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).keep_word_statistics(cursor)
        cursor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0011_search_index_inline")]
    operations = [migrations.RunPython(keep_word_statistics, migrations.RunPython.noop)]
