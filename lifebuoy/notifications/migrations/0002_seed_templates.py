"""Load the five starting reply templates."""

from django.db import migrations


def load(apps, schema_editor):
    from lifebuoy.notifications.seed import load_seed_templates

    load_seed_templates(template_model=apps.get_model("notifications", "MessageTemplate"))


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
