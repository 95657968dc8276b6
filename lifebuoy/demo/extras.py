"""What the demo desk has besides tickets, so that every page shows something on a new desk:
the on-call schedules and the P1 escalation policy, and the satisfaction surveys customers
answered. Written as history (nobody is paged or emailed when the demo loads)."""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta

from lifebuoy.accounts.models import Role, SupportTier, User
from lifebuoy.escalations.models import (
    EscalationPolicy,
    LayerMember,
    PolicyLevel,
    Schedule,
    ScheduleLayer,
)
from lifebuoy.surveys.models import FollowUpTask, Survey, SurveyKind
from lifebuoy.surveys.selectors import token_hash
from lifebuoy.surveys.services.answers import is_low
from lifebuoy.tickets.models import Status, Ticket

from . import catalog

# Most answers are good; a few are not, and those become the lead's follow-ups.
RATINGS = [5, 5, 5, 5, 4, 4, 4, 3, 2, 1]
ANSWERED_SHARE = 0.6


def _rotation(name: str, tz: str, people: list[User], start: datetime) -> Schedule:
    schedule = Schedule.objects.create(name=name, timezone=tz)
    layer = ScheduleLayer.objects.create(
        schedule=schedule, name="Weekly", rotation_start=start, shift_hours=168
    )
    LayerMember.objects.bulk_create(
        [LayerMember(layer=layer, user=u, position=i) for i, u in enumerate(people)]
    )
    return schedule


def demo_oncall(*, staff: dict[str, User], now: datetime) -> EscalationPolicy:
    """Tier 3 and Engineering rotations (weekly, from last Monday 09:00 UTC) and the playbook's
    24/7 P1 policy for Premium and Managed Services: tier 3 on call, then engineering, then
    the lead."""
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    tier3 = [u for u in staff.values() if u.role == Role.AGENT and u.tier == 3]
    engineers = [u for u in staff.values() if u.role == Role.ENGINEER]
    first = _rotation("Tier 3 on call", "Europe/London", tier3, monday)
    second = _rotation("Engineering on call", "Asia/Singapore", engineers, monday)
    lead = next(u for u in staff.values() if u.role == Role.LEAD)
    policy = EscalationPolicy.objects.create(
        name="P1 around the clock",
        covered_tiers=[SupportTier.PREMIUM, SupportTier.MANAGED],
        repeat_count=1,
    )
    PolicyLevel.objects.bulk_create(
        [
            PolicyLevel(policy=policy, position=0, schedule=first, timeout_minutes=15),
            PolicyLevel(policy=policy, position=1, schedule=second, timeout_minutes=15),
            PolicyLevel(policy=policy, position=2, user=lead, timeout_minutes=30),
        ]
    )
    return policy


def demo_surveys(*, rng: random.Random, now: datetime) -> int:
    """CSAT surveys for the solved tickets, six in ten answered; a low answer has its
    follow-up waiting for the lead. The number of answers."""
    solved = Ticket.objects.filter(
        status__in=[Status.RESOLVED, Status.CLOSED], resolved_at__isnull=False
    ).order_by("id")
    surveys, answered = [], 0
    for ticket in solved:
        assert ticket.resolved_at is not None  # noqa: S101  # filtered above
        sent = ticket.resolved_at + timedelta(hours=1)
        rating = rng.choice(RATINGS) if rng.random() < ANSWERED_SHARE else None
        answered_at = sent + timedelta(hours=rng.randint(1, 30)) if rating else None
        if answered_at is not None and answered_at > now:
            rating, answered_at = None, None
        surveys.append(
            Survey(
                kind=SurveyKind.CSAT,
                token_hash=token_hash(secrets.token_urlsafe(16)),
                contact_id=ticket.requester_id,
                organization_id=ticket.organization_id,
                ticket=ticket,
                resolved_at=ticket.resolved_at,
                sent_at=sent,
                expires_at=sent + timedelta(days=14),
                rating=rating,
                comment=rng.choice(catalog.SURVEY_COMMENTS[rating]) if rating else "",
                answered_at=answered_at,
            )
        )
        answered += rating is not None
    Survey.objects.bulk_create(surveys)
    low = [
        s
        for s in Survey.objects.filter(kind=SurveyKind.CSAT, answered_at__isnull=False)
        if s.rating is not None and is_low(s.kind, s.rating)
    ]
    FollowUpTask.objects.bulk_create(
        [FollowUpTask(survey=s, created_at=s.answered_at or now) for s in low]
    )
    return answered
