"""Drop three single-column indexes whose column leads a composite index already (assignee,
organization, last activity): every ticket written paid for them, no query needed them. Only the
indexes go; the table is not rebuilt and the foreign keys stay as they are."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = [
    ("tickets_ticket_assignee_id_3a5aa407", "assignee_id"),
    ("tickets_ticket_organization_id_7128da48", "organization_id"),
    ("tickets_ticket_last_activity_at_0907e101", "last_activity_at"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_roles_invitations_email_changes"),
        ("tickets", "0012_search_word_statistics"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "tickets_ticket" ("{column}")',
                )
                for name, column in DROPPED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_tickets",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="last_activity_at",
                    field=models.DateTimeField(),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="accounts.organization",
                    ),
                ),
            ],
        )
    ]
