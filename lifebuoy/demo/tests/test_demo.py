from __future__ import annotations

import pytest
from django.db import models
from django.db.models import Count

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.demo.services import demo_load
from lifebuoy.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def _fingerprint() -> list[tuple[str, str, str, str, int]]:
    return list(
        Ticket.objects.order_by("id")
        .annotate(n=Count("messages"))
        .values_list("subject", "priority", "channel", "status", "n")
    )


def test_the_demo_desk_covers_every_tier_and_looks_lived_in(now):
    summary = demo_load(seed=3, tickets=120, now=now)
    # besides the tickets customers opened, those monitoring opened for deployment problems
    assert summary.tickets == Ticket.objects.exclude(channel="monitoring").count() == 120
    plans = set(Organization.objects.values_list("plan", flat=True))
    assert plans == {"community", "cloud_starter", "cloud_professional", "enterprise", "managed"}
    assert len(set(Organization.objects.values_list("timezone", flat=True))) >= 5
    tiers = set(User.objects.filter(role=Role.AGENT).values_list("tier", flat=True))
    assert tiers == {1, 2, 3}
    assert len(set(Ticket.objects.values_list("category", flat=True))) >= 10
    assert len(set(Ticket.objects.values_list("channel", flat=True))) >= 5
    assert Message.objects.filter(is_internal=True).exists()
    assert {"new", "open", "closed"} <= set(Ticket.objects.values_list("status", flat=True))
    assert not Ticket.objects.filter(created_at__gt=now).exists()
    # Customers are people with a first name and a surname, not "Lucas (Tidewater Labs)".
    names = list(User.objects.filter(role=Role.CUSTOMER).values_list("full_name", flat=True))
    assert all(len(n.split()) == 2 and "(" not in n for n in names), names
    # Each organization has one admin, who manages its colleagues, webhooks and reviews.
    admins = Organization.objects.annotate(
        n=Count("members", filter=models.Q(members__is_organization_admin=True))
    )
    assert set(admins.values_list("n", flat=True)) == {1}


def test_the_demo_has_someone_on_call_for_p1_and_answered_surveys(now):
    from lifebuoy.accounts.models import SupportTier
    from lifebuoy.escalations.models import EscalationPolicy, Page
    from lifebuoy.escalations.selectors import oncall_at
    from lifebuoy.surveys.models import FollowUpTask, Survey

    summary = demo_load(seed=3, tickets=120, now=now)
    policy = EscalationPolicy.objects.get()
    assert {SupportTier.PREMIUM, SupportTier.MANAGED} <= set(policy.covered_tiers)
    levels = list(policy.levels.all())
    assert len(levels) == 3
    assert levels[0].schedule is not None
    first = oncall_at(schedule=levels[0].schedule, at=now)
    assert first is not None
    assert first.tier == 3
    assert not Page.objects.exists()  # loading history pages nobody
    answered = Survey.objects.filter(rating__isnull=False)
    assert summary.survey_answers == answered.count() > 10
    assert not answered.filter(answered_at__gt=now).exists()
    assert FollowUpTask.objects.count() == answered.filter(rating__lte=2).count() > 0


def test_the_same_seed_gives_the_same_desk(now):
    from lifebuoy.monitoring.models import Deployment, DoctorRun

    demo_load(seed=11, tickets=40, now=now)
    first = _fingerprint()
    heads = list(DoctorRun.objects.order_by("id").values_list("head_commit", flat=True))
    Deployment.objects.all().delete()
    Message.objects.all().delete()
    Ticket.objects.all().delete()
    User.objects.all().delete()
    Organization.objects.all().delete()
    demo_load(seed=11, tickets=40, now=now)
    assert _fingerprint() == first
    # the monitored repositories are built again with the same commits
    assert list(DoctorRun.objects.order_by("id").values_list("head_commit", flat=True)) == heads
    assert len(heads) == 2


def test_the_demo_s_history_leaves_the_workers_almost_nothing_to_do(
    now, monkeypatch, django_capture_on_commit_callbacks
):
    """A month of history is written at once: its emails count as sent when they were written
    and its events queue no follow-ups, so a new desk's workers are free within seconds."""
    from lifebuoy.core import tasks
    from lifebuoy.notifications.models import Delivery, DeliveryStatus

    published: list[str] = []
    monkeypatch.setattr(tasks, "_publish", lambda jobs: published.extend(j.task.name for j in jobs))
    with django_capture_on_commit_callbacks(execute=True):
        demo_load(seed=3, tickets=60, now=now)
    history = Delivery.objects.filter(created_at__lte=now)
    assert history.exists()
    assert not history.exclude(status=DeliveryStatus.SENT).exists()
    assert all(d.sent_at == d.created_at for d in history)
    assert "lifebuoy.escalations.ticket_event_followup" not in published
    assert "lifebuoy.notifications.delivery_send" not in published
    # the monitored deployments were polled while loading: no poll is queued for them
    assert not [name for name in published if name.startswith("lifebuoy.monitoring.")]
    assert len(published) < 60  # SLA events and the like, not several tasks per ticket
