from django.db import migrations

DEFAULT_QUEUES = [
    ("Tier 1 · Community", "tier-1", 1),
    ("Tier 2 · Standard", "tier-2", 2),
    ("Tier 3 · Premium", "tier-3", 3),
    ("Engineering", "engineering", 4),
]


def create_queues(apps, schema_editor):
    Queue = apps.get_model("accounts", "Queue")
    for name, slug, tier in DEFAULT_QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name": name, "tier": tier})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_queues, migrations.RunPython.noop)]
