"""Follow-up tasks for the support leads: opened by a low rating, closed by a lead.

Opening one alerts the leads through the outbox: an email to each active lead (the admins when
there is no lead) and a Slack post when Slack is configured, like the desk's other alerts.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import InvalidState, PermissionDenied, ValidationFailed
from lifebuoy.core.links import absolute_url
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue, slack_target
from lifebuoy.surveys.models import FollowUpStatus, FollowUpTask, Survey
from lifebuoy.surveys.selectors import is_lead, lead_recipients
from lifebuoy.surveys.services.emails import follow_up_alert_text, follow_up_email

NOTE_MAX = 2000


def _alert(task: FollowUpTask, now: datetime) -> None:
    survey = task.survey
    payload = follow_up_email(survey=survey)
    for lead in lead_recipients():
        delivery_enqueue(
            kind=DeliveryKind.EMAIL,
            key=f"email:survey-follow-up:{task.id}:{lead.id}",
            ticket=survey.ticket,
            target=lead.email,
            payload=payload,
            now=now,
        )
    target = slack_target()
    if target:
        link = absolute_url(reverse("surveys:follow_ups"))
        delivery_enqueue(
            kind=DeliveryKind.SLACK,
            key=f"slack:survey-follow-up:{task.id}",
            ticket=survey.ticket,
            target=target,
            payload={"text": f":warning: {follow_up_alert_text(survey)} <{link}|Follow up>"},
            now=now,
        )


def follow_up_open(*, survey: Survey, now: datetime) -> FollowUpTask:
    """Call inside the transaction that records the answer."""
    task = FollowUpTask.objects.create(survey=survey, created_at=now)
    _alert(task, now)
    return task


@transaction.atomic
def follow_up_done(*, task: FollowUpTask, actor: User, note: str, now: datetime) -> FollowUpTask:
    """A lead marks the follow-up done, optionally saying what they did. Done once."""
    if not is_lead(actor):
        raise PermissionDenied("not_allowed", "Only support leads close follow-ups.")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed.for_fields({"note": f"Keep the note under {NOTE_MAX} characters."})
    won = FollowUpTask.objects.filter(id=task.id, status=FollowUpStatus.OPEN).update(
        status=FollowUpStatus.DONE, done_at=now, done_by=actor, note=note
    )
    if won != 1:
        raise InvalidState("follow_up_done", "This follow-up is already done.")
    task.refresh_from_db()
    return task
