"""Drop the PostgreSQL index table's foreign key to kb_article (see PostgresBackend)."""

from django.db import migrations


def drop_foreign_key(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE kb_article_search DROP CONSTRAINT IF EXISTS kb_article_search_article_id_fkey"
        )


class Migration(migrations.Migration):
    dependencies = [("kb", "0003_seed_articles")]
    operations = [migrations.RunPython(drop_foreign_key, migrations.RunPython.noop)]
