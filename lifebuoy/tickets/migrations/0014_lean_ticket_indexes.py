"""Fewer indexes for every new ticket to write (see the comments in ``Ticket.Meta``):

- "Unassigned" is served by ticket_unsolved_owner, so ticket_nobodys_status_id goes;
- first response, resolution, owner, merged-into and follow-up-of are indexed only where set
  (a new ticket has none of them, but for the named engineer as owner);
- the queue's foreign-key index goes: no read looks tickets up by queue;
- the requester's becomes (requester, created_at), which also bounds a sender's count of the
  past hour.

The foreign keys' own indexes are dropped by name, as in 0013: altering the fields would drop
and validate again each constraint on PostgreSQL and copy the table on SQLite.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = [
    ("tickets_ticket_follow_up_of_id_29bc6d56", "follow_up_of_id"),
    ("tickets_ticket_merged_into_id_3a36ad40", "merged_into_id"),
    ("tickets_ticket_owner_id_40236788", "owner_id"),
    ("tickets_ticket_queue_id_0d3cb9ef", "queue_id"),
    ("tickets_ticket_requester_id_2072a2f2", "requester_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_roles_invitations_email_changes"),
        ("tickets", "0013_drop_redundant_single_column_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_first_response_at",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_resolved_at",
        ),
        migrations.RemoveIndex(
            model_name="ticket",
            name="ticket_nobodys_status_id",
        ),
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
                    name="follow_up_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The closed ticket a customer answered after the reopening window, which opened this one.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="follow_ups",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The ticket this one was merged into; it was closed then, and continues there.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_from",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        help_text="The agent who keeps the ticket until it is resolved, even when escalated.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="owned_tickets",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="queue",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="accounts.queue",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="requester",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requested_tickets",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("first_response_at__isnull", False)),
                fields=["first_response_at"],
                name="ticket_first_response_at",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", False)),
                fields=["resolved_at"],
                name="ticket_resolved_at",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["requester", "created_at"], name="ticket_requester_created"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("owner__isnull", False)), fields=["owner"], name="ticket_owner"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="ticket_merged_into",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("follow_up_of__isnull", False)),
                fields=["follow_up_of"],
                name="ticket_follow_up_of",
            ),
        ),
    ]
