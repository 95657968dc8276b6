"""Sign-in now looks addresses up lower-cased; store every address that way.

Addresses were lower-cased when created in code, but the admin kept what was typed. An address
whose lower-cased form already belongs to someone else is left as it is (two accounts differing
only in case need a person to decide which one stays).
"""

from django.db import migrations


def lowercase_emails(apps, schema_editor):  # type: ignore[no-untyped-def]  # migration API
    User = apps.get_model("accounts", "User")
    taken = set(User.objects.values_list("email", flat=True))
    for user in User.objects.only("id", "email").order_by("id"):
        lowered = user.email.strip().lower()
        if lowered != user.email and lowered not in taken:
            taken.add(lowered)
            user.email = lowered
            user.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_alter_organization_named_engineer")]

    operations = [migrations.RunPython(lowercase_emails, migrations.RunPython.noop)]
