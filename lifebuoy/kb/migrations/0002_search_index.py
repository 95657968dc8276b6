"""The full-text index beside the article table: FTS5 on SQLite, a GIN-indexed tsvector on
PostgreSQL. Its shape depends on the database, so it is created here rather than by a model."""

from django.db import migrations


def create_index(apps, schema_editor):
    from lifebuoy.kb.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).create_schema(cursor)


def drop_index(apps, schema_editor):
    from lifebuoy.kb.search import backend_for

    with schema_editor.connection.cursor() as cursor:
        backend_for(schema_editor.connection).drop_schema(cursor)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
