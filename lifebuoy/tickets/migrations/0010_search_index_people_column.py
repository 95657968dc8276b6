"""SQLite's full-text table gets a column of its own for the requester, organization and tags,
so a passage shown beside a result is cut from the description or a message, never from them.
The table is made again (and filled, for a desk of up to 50,000 tickets); PostgreSQL's index
is unchanged."""

from django.db import migrations

INDEX_HERE_UP_TO = 50_000


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from lifebuoy.tickets.search import backend_for

    backend = backend_for(schema_editor.connection)
    Ticket = apps.get_model("tickets", "Ticket")
    with schema_editor.connection.cursor() as cursor:
        backend.drop_schema(cursor)
        backend.create_schema(cursor)
        if Ticket.objects.count() <= INDEX_HERE_UP_TO:
            ids = list(Ticket.objects.values_list("id", flat=True))
            for start in range(0, len(ids), 2000):
                backend.index_tickets(cursor, ids[start : start + 2000])


class Migration(migrations.Migration):
    dependencies = [("tickets", "0009_search_index")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
