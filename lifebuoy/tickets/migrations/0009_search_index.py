"""The tickets' full-text index: FTS5 on SQLite, GIN-indexed tsvectors on PostgreSQL. Its shape
depends on the database, so it is created here rather than by a model. Existing tickets are
indexed here when there are few; a large desk runs ``lifebuoy search reindex`` (docs/deploy.md)."""

from django.db import migrations

INDEX_HERE_UP_TO = 50_000


def create_index(apps, schema_editor):
    from lifebuoy.tickets.search import backend_for

    backend = backend_for(schema_editor.connection)
    Ticket = apps.get_model("tickets", "Ticket")
    with schema_editor.connection.cursor() as cursor:
        backend.create_schema(cursor)
        if Ticket.objects.count() <= INDEX_HERE_UP_TO:
            ids = list(Ticket.objects.values_list("id", flat=True))
            for start in range(0, len(ids), 2000):
                backend.index_tickets(cursor, ids[start : start + 2000])


def drop_index(apps, schema_editor):
    from lifebuoy.tickets.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).drop_schema(cursor)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_ticket_follow_up_of")]
    operations = [migrations.RunPython(create_index, drop_index)]
