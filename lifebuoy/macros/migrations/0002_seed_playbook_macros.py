"""Three shared macros from the playbook's reply templates, their text taken from the template
(so the leads' edits of the template reach the macro): the initial response opens the ticket,
the status update changes nothing else, the resolution resolves it."""

from django.db import migrations
from lifebuoy.macros.seed import PLAYBOOK_MACROS, load_playbook_macros


def seed(apps, schema_editor):
    load_playbook_macros(
        template_model=apps.get_model("notifications", "MessageTemplate"),
        macro_model=apps.get_model("macros", "Macro"),
    )


def unseed(apps, schema_editor):
    macro_model = apps.get_model("macros", "Macro")
    keys = [key for key, _name, _status in PLAYBOOK_MACROS]
    macro_model.objects.filter(
        owner=None, created_by=None, template__key__in=keys
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("macros", "0001_initial"),
        ("notifications", "0002_seed_templates"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
