"""Seed the playbook's policies ("Support tiers", "Metrics & reporting") and one summary row per
existing ticket (so the queue's deadline sort sees every ticket).

Standard (Cloud Starter, Cloud Professional) and Premium (Enterprise) first responses: P1 on
calendar time (24/7), P2-P4 in business hours, 9:00-17:00 Monday-Friday in the customer's zone
with their country's public holidays. Resolution for paid tiers: P1 4 h, P2 24 h, P3 48 h, P4 one
week, on calendar time. Community: best effort, a 5-day goal that is never a breach. Managed
Services starts from the Premium values; each organization gets its own copy to edit.
"""

import datetime

from django.db import migrations

HOUR = 60
DAY = 24 * HOUR
FIRST_RESPONSE = {
    2: {"P1": (4 * HOUR, "calendar"), "P2": (8 * HOUR, "business"),
        "P3": (24 * HOUR, "business"), "P4": (48 * HOUR, "business")},
    3: {"P1": (1 * HOUR, "calendar"), "P2": (2 * HOUR, "business"),
        "P3": (8 * HOUR, "business"), "P4": (24 * HOUR, "business")},
}
FIRST_RESPONSE[4] = FIRST_RESPONSE[3]
RESOLUTION = {"P1": 4 * HOUR, "P2": 24 * HOUR, "P3": 48 * HOUR, "P4": 7 * DAY}
COMMUNITY_GOAL = 5 * DAY
POLICIES = [
    (1, "Community (best effort, typically 2-5 days)"),
    (2, "Standard"),
    (3, "Premium"),
    (4, "Managed Services (default)"),
]


def seed(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    CalendarWindow = apps.get_model("sla", "CalendarWindow")
    Policy = apps.get_model("sla", "Policy")
    Target = apps.get_model("sla", "Target")
    Summary = apps.get_model("sla", "Summary")
    Ticket = apps.get_model("tickets", "Ticket")
    office, created = Calendar.objects.get_or_create(name="Office hours (customer's zone)")
    if created:
        CalendarWindow.objects.bulk_create(
            CalendarWindow(
                calendar=office,
                weekday=day,
                opens=datetime.time(9, 0),
                closes=datetime.time(17, 0),
            )
            for day in range(5)
        )
    for tier, name in POLICIES:
        policy, created = Policy.objects.get_or_create(
            tier=tier,
            organization=None,
            defaults={"name": name, "calendar": office, "is_best_effort": tier == 1},
        )
        if not created:
            continue
        rows = []
        for priority in ("P1", "P2", "P3", "P4"):
            if tier == 1:
                rows.append(Target(policy=policy, kind="first_response", priority=priority,
                                   minutes=COMMUNITY_GOAL, hours="calendar"))
                continue
            minutes, hours = FIRST_RESPONSE[tier][priority]
            rows.append(Target(policy=policy, kind="first_response", priority=priority,
                               minutes=minutes, hours=hours))
            rows.append(Target(policy=policy, kind="resolution", priority=priority,
                               minutes=RESOLUTION[priority], hours="calendar"))
        Target.objects.bulk_create(rows)
    have = Summary.objects.values_list("ticket_id", flat=True)
    Summary.objects.bulk_create(
        (Summary(ticket_id=pk) for pk in Ticket.objects.exclude(id__in=have).values_list("id", flat=True).iterator()),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
