"""Load the default domain vocabulary (customers' words and the articles' words for them)."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from lifebuoy.kb.seed import load_seed_vocabulary

    load_seed_vocabulary(entry_model=apps.get_model("kb", "VocabularyEntry"), now=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_vocabulary_and_learned_terms")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
