"""Drop the index of mail references by ticket alone: ``mailref_ticket`` (ticket, id) serves the
same look-ups. Only the index goes; the table and its foreign key stay as they are."""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "notifications_mailreference_ticket_id_d0ab486f"


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_staff_notifications_followers_ccs"),
        ("tickets", "0012_search_word_statistics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=(
                        f'CREATE INDEX IF NOT EXISTS "{INDEX}" '
                        'ON "notifications_mailreference" ("ticket_id")'
                    ),
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="mailreference",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="mail_references",
                        to="tickets.ticket",
                    ),
                )
            ],
        )
    ]
