from django.db import migrations


def seed(apps, schema_editor):
    from lifebuoy.escalations.seed import load_seed

    load_seed(rule_model=apps.get_model("escalations", "Rule"),
              queue_model=apps.get_model("accounts", "Queue"))


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0001_initial"),
        ("accounts", "0002_default_queues"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
