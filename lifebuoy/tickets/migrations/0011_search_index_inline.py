"""PostgreSQL keeps the tickets' search documents compressed inside their rows (see
``PostgresBackend.keep_inline``). Rows written before keep their storage until they are
written again (``lifebuoy search reindex``); SQLite is unchanged."""

from django.db import migrations


def keep_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from lifebuoy.tickets.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).keep_inline(cursor)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0010_search_index_people_column")]
    operations = [migrations.RunPython(keep_inline, migrations.RunPython.noop)]
