"""Three shared macros from the playbook's reply templates, their text taken from the template
(so the leads' edits of the template reach the macro): the initial response opens the ticket,
the status update changes nothing else, the resolution resolves it."""

from django.db import migrations
from django.utils import timezone

PLAYBOOK_MACROS = [
    # (template key, name, status to set)
    ("initial_response", "Initial response", "open"),
    ("status_update", "Status update", ""),
    ("resolution", "Resolution", "resolved"),
]


def seed(apps, schema_editor):
    template_model = apps.get_model("notifications", "MessageTemplate")
    macro_model = apps.get_model("macros", "Macro")
    now = timezone.now()
    for position, (key, name, status) in enumerate(PLAYBOOK_MACROS, start=1):
        template = template_model.objects.filter(key=key).first()
        if template is None or macro_model.objects.filter(template=template).exists():
            continue
        macro_model.objects.create(
            name=name,
            body="",
            template=template,
            owner=None,
            audience="everyone",
            set_status=status,
            position=position,
            created_at=now,
            updated_at=now,
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
