"""Load the seed articles (the playbook's troubleshooting knowledge) as published articles."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from lifebuoy.kb.seed import load_seed_articles

    load_seed_articles(
        article_model=apps.get_model("kb", "Article"),
        revision_model=apps.get_model("kb", "ArticleRevision"),
        now=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("kb", "0002_search_index")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
