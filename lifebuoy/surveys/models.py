"""Satisfaction surveys (CSAT after a resolution, NPS per contact and period) and the follow-up
tasks a low rating opens for the support leads."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from lifebuoy.accounts.models import Organization, User
from lifebuoy.tickets.models import Ticket

CSAT_MIN, CSAT_MAX = 1, 5
NPS_MIN, NPS_MAX = 0, 10
# A rating at or below these opens a follow-up task for the leads (docs/surveys.md).
CSAT_LOW = 2
NPS_DETRACTOR = 6
NPS_PROMOTER = 9


class SurveyKind(models.TextChoices):
    CSAT = "csat", "CSAT"
    NPS = "nps", "NPS"


class Survey(models.Model):
    """One survey sent to one person, and their answer once they give it.

    The link carries a random secret; only its SHA-256 is stored (``token_hash``). A CSAT survey
    names its ticket (one per ticket); an NPS survey its period (one per contact and period).
    ``organization`` is the contact's organization when the survey was sent, so metrics can be
    scoped like every other one.
    """

    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    contact = models.ForeignKey(User, on_delete=models.CASCADE, related_name="surveys")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys"
    )
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="CSAT: the resolution the survey asks about."
    )
    period_start = models.DateField(null=True, blank=True, help_text="NPS: the period surveyed.")
    period_label = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(kind="csat"), name="survey_one_csat_per_ticket"
            ),
            models.UniqueConstraint(
                fields=["contact", "period_start"],
                condition=Q(kind="nps"),
                name="survey_one_nps_per_contact_period",
            ),
            models.CheckConstraint(
                condition=Q(kind="csat", ticket__isnull=False)
                | Q(kind="nps", period_start__isnull=False),
                name="survey_kind_has_subject",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(kind="csat", rating__gte=CSAT_MIN, rating__lte=CSAT_MAX)
                | Q(kind="nps", rating__gte=NPS_MIN, rating__lte=NPS_MAX),
                name="survey_rating_in_range",
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True, answered_at__isnull=True)
                | Q(rating__isnull=False, answered_at__isnull=False),
                name="survey_answer_complete",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["kind", "answered_at"], name="survey_answered"),
        ]

    def __str__(self) -> str:
        subject = f"#{self.ticket_id}" if self.kind == SurveyKind.CSAT else self.period_label
        return f"{self.get_kind_display()} {subject} for {self.contact_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    @property
    def scale(self) -> range:
        if self.kind == SurveyKind.CSAT:
            return range(CSAT_MIN, CSAT_MAX + 1)
        return range(NPS_MIN, NPS_MAX + 1)


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class FollowUpTask(models.Model):
    """A low rating the support leads follow up on: one per answered survey."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="follow_up")
    status = models.CharField(
        max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    created_at = models.DateTimeField(db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, help_text="What the lead did about it.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["status", "-created_at"], name="followup_open")]

    def __str__(self) -> str:
        return f"Follow-up on survey {self.survey_id} ({self.status})"
